import { downloadHeaders } from "@/server/mails/build-mails";
import { mailRoute, type MailRouteParams } from "@/server/mails/mail-route";

export const dynamic = "force-dynamic";

/** The message as received (RFC 822), as an .eml download. */
export async function GET(request: Request, context: MailRouteParams): Promise<Response> {
  return mailRoute(
    request,
    context,
    (mail) => new Response(new Uint8Array(mail.raw), { headers: downloadHeaders(`${mail.id}.eml`, "message/rfc822") }),
  );
}
