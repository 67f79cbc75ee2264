import { deps } from "@/server/deps";
import { startGithubLogin } from "@/server/github-auth/routes";

export const dynamic = "force-dynamic";

/** "Sign in with GitHub": starts the OAuth web flow. */
export function GET(): Response {
  return startGithubLogin(deps());
}
