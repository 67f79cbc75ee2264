import { respondToWebhook } from "../respond";

export const dynamic = "force-dynamic";

/** GitHub push/ping deliveries; the project is found by repository (or ?project=<slug>). */
export function POST(request: Request): Promise<Response> {
  const h = request.headers;
  return respondToWebhook(request, {
    source: "github",
    projectSlug: new URL(request.url).searchParams.get("project"),
    event: h.get("x-github-event"),
    deliveryId: h.get("x-github-delivery"),
    signature: h.get("x-hub-signature-256"),
  });
}
