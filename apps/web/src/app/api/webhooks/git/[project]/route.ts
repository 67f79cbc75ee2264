import { respondToWebhook } from "../../respond";

export const dynamic = "force-dynamic";

/**
 * Generic signed push endpoint for any Git server (Gitea, Forgejo, a post-receive hook): a JSON
 * body with `ref` and `after` (GitHub's push shape), signed like GitHub in X-Hub-Signature-256
 * (or X-Slipway-Signature-256) with the project's webhook secret.
 */
export async function POST(request: Request, { params }: { params: Promise<{ project: string }> }): Promise<Response> {
  const h = request.headers;
  return respondToWebhook(request, {
    source: "generic",
    projectSlug: (await params).project,
    event: h.get("x-slipway-event") ?? h.get("x-gitea-event") ?? h.get("x-github-event"),
    deliveryId: h.get("x-slipway-delivery") ?? h.get("x-gitea-delivery") ?? h.get("x-github-delivery"),
    signature: h.get("x-slipway-signature-256") ?? h.get("x-hub-signature-256"),
  });
}
