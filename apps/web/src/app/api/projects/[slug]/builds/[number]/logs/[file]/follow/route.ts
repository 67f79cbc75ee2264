import { accessErrorResponse } from "@/server/access";
import { followLogStream } from "@/server/build-tools/follow-log";
import { logFilePath } from "@/server/build-tools/log-files";
import { buildToolForRoute } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; number: string; file: string }> };

const DEFAULT_TAIL = 500;
const MAX_TAIL = 5000;

/**
 * Follows one log file live (Server-Sent Events, see followLogStream): the last `lines` lines
 * (default 500), then new lines as they are written; the stream ends after five minutes.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const auth = await buildToolForRoute({ request, params, tool: "logs" });
  if (!auth.ok) return auth.response;
  let file: string;
  try {
    file = logFilePath({ home: deps().config.home, buildId: auth.build.id, name: (await params).file });
  } catch (e) {
    return accessErrorResponse(e);
  }
  const asked = Number(new URL(request.url).searchParams.get("lines") ?? DEFAULT_TAIL);
  const tailLines = Number.isInteger(asked) && asked >= 0 ? Math.min(asked, MAX_TAIL) : DEFAULT_TAIL;
  return new Response(followLogStream({ file, tailLines, signal: request.signal }), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
