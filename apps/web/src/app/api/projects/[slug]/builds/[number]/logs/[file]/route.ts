import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { accessErrorResponse } from "@/server/access";
import { assertLogFile, logFilePath } from "@/server/build-tools/log-files";
import { buildToolForRoute } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; number: string; file: string }> };

/** Downloads one whole log file as an attachment (streamed, never loaded in memory). */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const auth = await buildToolForRoute({ request, params, tool: "logs" });
  if (!auth.ok) return auth.response;
  const { slug, number, file: name } = await params;
  let file: string;
  let size: number;
  try {
    file = logFilePath({ home: deps().config.home, buildId: auth.build.id, name });
    size = await assertLogFile(file);
  } catch (e) {
    return accessErrorResponse(e);
  }
  // Only the bytes present now: a log still growing is cut at its size at the time of the request.
  const body = Readable.toWeb(createReadStream(file, { start: 0, end: Math.max(0, size - 1) })) as ReadableStream<Uint8Array>;
  return new Response(size === 0 ? "" : body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(size),
      "content-disposition": `attachment; filename="${slug}-${number}-${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
