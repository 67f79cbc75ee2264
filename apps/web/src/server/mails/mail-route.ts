import { authorizeBuildTool, accessErrorResponse, routeViewer } from "../access";
import { deps } from "../deps";
import { openBuildMail, type OpenedMail } from "./build-mails";

export type MailRouteParams = { params: Promise<{ slug: string; number: string; mailId: string }> };

/**
 * Shared edge of the mail content routes (html, raw, attachments): the viewer needs the Mails tool
 * on the build's stage (role matrix: development for everyone allowed, staging for testers and
 * admins, production never); refusals are JSON 401/403/404.
 */
export async function mailRoute(request: Request, { params }: MailRouteParams, respond: (mail: OpenedMail) => Response): Promise<Response> {
  const d = deps();
  const { slug, number, mailId } = await params;
  try {
    const viewer = await routeViewer({ sessions: d.sessions, request });
    const { build } = await authorizeBuildTool({ prisma: d.prisma, user: viewer, slug, build: { number }, tool: "mails" });
    return respond(await openBuildMail({ prisma: d.prisma, home: d.config.home, buildId: build.id, mailId }));
  } catch (e) {
    return accessErrorResponse(e);
  }
}
