import { publishProjectNotice } from "@slipway/queue";
import { deps } from "../../../server/deps";
import { handleWebhook, type WebhookRequest } from "../../../server/webhooks/handle-webhook";

const MAX_BODY = 5 * 1024 * 1024;

/** Shared edge of the webhook endpoints: raw body in, JSON out; unexpected errors are 500 without detail. */
export async function respondToWebhook(request: Request, fields: Omit<WebhookRequest, "body">): Promise<Response> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY) return Response.json({ error: "The webhook body is too large." }, { status: 413 });
  const body = await request.text();
  if (body.length > MAX_BODY) return Response.json({ error: "The webhook body is too large." }, { status: 413 });
  try {
    const d = deps();
    const res = await handleWebhook({
        prisma: d.prisma,
        encryptionKey: d.config.encryptionKey,
        enqueueBuild: d.enqueueBuild,
        notifyProject: (projectId) => publishProjectNotice(d.redis, { projectId, kind: "branch" }),
      }, { ...fields, body });
    return Response.json(res.body, { status: res.status });
  } catch (e) {
    console.error(`Slipway web: webhook failed: ${(e as Error).stack ?? e}`);
    return Response.json({ error: "Internal error while handling the webhook." }, { status: 500 });
  }
}
