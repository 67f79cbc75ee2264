import { deps } from "@/server/deps";
import { finishGithubLogin } from "@/server/github-auth/routes";

export const dynamic = "force-dynamic";

/** GitHub sends the browser back here with ?code&state. */
export function GET(request: Request): Promise<Response> {
  return finishGithubLogin(deps(), request);
}
