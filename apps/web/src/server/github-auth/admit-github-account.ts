import { findGithubAccountStanding, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { GithubAccount } from "./github-api";

/**
 * Who may sign in with GitHub (issue 11): an account already known by its GitHub id that is a
 * collaborator of some project (admins add collaborators by GitHub username, which records the id
 * before the first sign-in) or a platform superuser, or a member of one of the configured
 * organisations. Anyone else is refused before any row or session is written.
 */
export async function admitGithubAccount(
  deps: { prisma: Db; organisations: readonly string[]; isMember: (org: string) => Promise<boolean> },
  account: GithubAccount,
): Promise<{ via: "collaborator" | "superuser" | "organisation"; organisation?: string }> {
  const known = await findGithubAccountStanding(deps.prisma, { githubId: account.githubId });
  if (known?.isSuperuser) return { via: "superuser" };
  if (known && known.collaborations > 0) return { via: "collaborator" };
  for (const org of deps.organisations) {
    if (await deps.isMember(org)) return { via: "organisation", organisation: org };
  }
  const orgs = deps.organisations.length > 0 ? ` or become a member of ${deps.organisations.join(", ")} on GitHub` : "";
  throw new DomainError(
    "forbidden",
    `The GitHub account ${account.login} has no access to this Slipway: ask a project admin to add you as a collaborator${orgs}.`,
  );
}
