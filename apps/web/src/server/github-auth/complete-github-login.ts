import { isUserDisabled, type Db, type SessionRepository } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { recordAudit } from "../audit/record-audit";
import { generateSessionToken, hashSessionToken, sessionExpiry } from "../auth/session-policy";
import { admitGithubAccount } from "./admit-github-account";
import { exchangeCode, fetchAuthenticatedUser, isOrganisationMember } from "./github-api";
import { callbackUrl, stateMatches } from "./oauth-state";
import { upsertGithubUser } from "./upsert-github-user";

export interface GithubLoginDeps {
  prisma: Db;
  sessions: SessionRepository;
  publicUrl: string;
  github: { oauthUrl: string; apiUrl: string; clientId: string; clientSecret: string; organisations?: readonly string[] };
}

/**
 * OAuth web flow, callback side: the state must be the one bound to this browser's cookie (else
 * nothing is exchanged and no session exists), then code → token → GET /user → admission (a
 * collaborator of some project, a superuser, or a member of a configured organisation; nothing is
 * written for anyone else) → User row (by GitHub id) → a session exactly like the password login's.
 * GitHub's token is not kept: Slipway only needs the identity (and the memberships, once).
 */
export async function completeGithubLogin(
  deps: GithubLoginDeps,
  options: { code: string | null; state: string | null; cookieState: string | undefined; ip: string; userAgent: string | null; now?: Date },
): Promise<{ token: string; expiresAt: Date; userId: string; login: string }> {
  if (!stateMatches({ fromQuery: options.state, fromCookie: options.cookieState })) {
    throw new DomainError("forbidden", "The GitHub sign-in could not be verified (expired or forged request); start again.");
  }
  if (!options.code) throw new DomainError("forbidden", "GitHub did not approve the sign-in.");
  const { github } = deps;
  const accessToken = await exchangeCode({ ...github, code: options.code, redirectUri: callbackUrl(deps.publicUrl) });
  const account = await fetchAuthenticatedUser({ apiUrl: github.apiUrl, token: accessToken });
  const admission = await admitGithubAccount(
    {
      prisma: deps.prisma,
      organisations: github.organisations ?? [],
      isMember: (org) => isOrganisationMember({ apiUrl: github.apiUrl, token: accessToken, org }),
    },
    account,
  );
  const user = await upsertGithubUser(deps.prisma, account);
  if (await isUserDisabled(deps.prisma, { userId: user.id })) throw new DomainError("forbidden", "This account is disabled.");

  const token = generateSessionToken();
  const now = options.now ?? new Date();
  const expiresAt = sessionExpiry({ createdAt: now, now });
  await deps.sessions.create({
    tokenHash: hashSessionToken(token),
    userId: user.id,
    expiresAt,
    ip: options.ip,
    userAgent: options.userAgent,
  });
  await recordAudit({
    prisma: deps.prisma,
    actorId: user.id,
    projectId: null,
    action: "session.github_login",
    target: user.login,
    details: {
      githubId: account.githubId,
      admittedAs: admission.via,
      ...(admission.organisation ? { organisation: admission.organisation } : {}),
    },
    ip: options.ip,
  });
  return { token, expiresAt, userId: user.id, login: user.login };
}
