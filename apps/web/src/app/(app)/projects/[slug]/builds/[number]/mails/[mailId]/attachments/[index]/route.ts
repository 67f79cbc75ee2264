import { downloadHeaders } from "@/server/mails/build-mails";
import { mailRoute, type MailRouteParams } from "@/server/mails/mail-route";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; number: string; mailId: string; index: string }> };

/** One attachment of a message, always as a download (never rendered in the panel's origin). */
export async function GET(request: Request, context: Params): Promise<Response> {
  const { index } = await context.params;
  return mailRoute(request, context as MailRouteParams, (mail) => {
    const attachment = /^\d{1,4}$/.test(index) ? mail.attachments[Number(index)] : undefined;
    if (!attachment) return Response.json({ error: { code: "not_found", message: "This attachment does not exist." } }, { status: 404 });
    return new Response(new Uint8Array(attachment.content), { headers: downloadHeaders(attachment.filename) });
  });
}
