import { listRemoteBranches, repoUrlVetter } from "@slipway/git";
import { publishProjectNotice } from "@slipway/queue";
import { readBodyText } from "@/server/access/read-body";
import { deps } from "@/server/deps";
import { handleWebhook, type WebhookRequest } from "@/server/webhooks/handle-webhook";

export const MAX_WEBHOOK_BODY = 5 * 1024 * 1024;

/**
 * Shared edge of the webhook endpoints: raw body in (read with a byte counter, never past 5 MB:
 * the signature is over the body, so it cannot be checked first), JSON out; unexpected errors are
 * 500 without detail.
 */
export async function respondToWebhook(request: Request, fields: Omit<WebhookRequest, "body">): Promise<Response> {
  const read = await readBodyText(request, MAX_WEBHOOK_BODY);
  if (!read.ok) return Response.json({ error: "The webhook body is too large." }, { status: 413 });
  const body = read.text;
  try {
    const d = deps();
    const res = await handleWebhook(
      {
        prisma: d.prisma,
        encryptionKey: d.config.encryptionKey,
        remoteHeads: async (url) => {
          await repoUrlVetter({ localRoot: d.config.projects.localReposRoot })(url);
          return listRemoteBranches({ url, timeoutMs: 15_000 });
        },
        enqueueBuild: d.enqueueBuild,
        notifyProject: (projectId) => publishProjectNotice(d.redis, { projectId, kind: "branch" }),
      },
      { ...fields, body },
    );
    return Response.json(res.body, { status: res.status });
  } catch (e) {
    console.error(`Slipway web: webhook failed: ${(e as Error).stack ?? e}`);
    return Response.json({ error: "Internal error while handling the webhook." }, { status: 500 });
  }
}
