import { mailHtmlHeaders } from "@/server/mails/build-mails";
import { mailRoute, type MailRouteParams } from "@/server/mails/mail-route";

export const dynamic = "force-dynamic";

/** The message's HTML part, for the Mails tab's sandboxed iframe only (see mailHtmlHeaders). */
export async function GET(request: Request, context: MailRouteParams): Promise<Response> {
  return mailRoute(
    request,
    context,
    (mail) => new Response(mail.html ?? "", { status: mail.html === null ? 404 : 200, headers: mailHtmlHeaders }),
  );
}
