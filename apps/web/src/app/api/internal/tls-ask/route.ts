import { answerTlsAsk } from "@/server/domains/tls-ask";
import { deps } from "@/server/deps";

// Caddy's on-demand TLS `ask` endpoint (issue 16): never cached, no session (loopback callers only).
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const d = deps();
  const answer = await answerTlsAsk({ prisma: d.prisma, publicUrl: d.config.web.publicUrl }, request);
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
