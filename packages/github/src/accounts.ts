// GitHub accounts through the Octokit client: sign-in (OAuth web flow code → user token, the
// signed-in user, organisation membership) and username lookups. Errors become DomainErrors whose
// message names the HTTP status only: Octokit's RequestError carries the request (the OAuth
// exchange's body holds the client secret and the code), so it is never attached as a cause.
import { exchangeWebFlowCode } from "@octokit/oauth-methods";
import { DomainError } from "@slipway/domain";
import { createGitHubClient, isGitHubStatus, type GitHubClient, type GitHubClientLimits } from "./client";

/** A GitHub account as Slipway keeps it (GET /user, GET /users/<login>). */
export interface GithubAccount {
  githubId: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

function statusOf(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status > 0 ? `HTTP ${status}` : "no answer";
}

/** An upstream failure without the Octokit error (it holds request details) as cause. */
function unreachable(what: string, error: unknown): DomainError {
  return new DomainError("upstream_failed", `${what} (${statusOf(error)}); try again shortly.`);
}

function toAccount(body: unknown): GithubAccount {
  const u = body as { id?: unknown; login?: unknown; name?: unknown; avatar_url?: unknown };
  if (typeof u.id !== "number" || typeof u.login !== "string" || !/^[A-Za-z0-9-]{1,39}$/.test(u.login)) {
    throw new DomainError("upstream_failed", "GitHub answered with an unexpected user.");
  }
  return {
    githubId: String(u.id),
    login: u.login,
    name: typeof u.name === "string" ? u.name : null,
    avatarUrl: typeof u.avatar_url === "string" ? u.avatar_url : null,
  };
}

interface Endpoint {
  apiUrl: string;
  limits?: GitHubClientLimits;
}

const userClient = (options: Endpoint & { token?: string }): GitHubClient =>
  createGitHubClient({
    baseUrl: options.apiUrl,
    auth: options.token ? { kind: "token", token: options.token } : { kind: "none" },
    ...(options.limits ? { limits: options.limits } : {}),
  });

/** OAuth web flow, step 2: the authorization code for a user access token (POST <oauthUrl>/login/oauth/access_token). */
export async function exchangeCode(options: {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  limits?: GitHubClientLimits;
}): Promise<string> {
  // The client's request keeps the retry/throttling hooks; its base URL is the OAuth host (github.com, GHE's host, the double).
  const { request } = createGitHubClient({
    baseUrl: options.oauthUrl,
    auth: { kind: "none" },
    ...(options.limits ? { limits: options.limits } : {}),
  });
  try {
    const { authentication } = await exchangeWebFlowCode({
      clientType: "oauth-app",
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      code: options.code,
      redirectUrl: options.redirectUri,
      request,
    });
    return authentication.token;
  } catch (error) {
    // oauth-methods turns GitHub's 200 {error: "bad_verification_code", …} into a RequestError with that text.
    const code = /\((\w+), /.exec((error as Error).message ?? "")?.[1];
    if (code) throw new DomainError("forbidden", `GitHub refused the sign-in (${code}); try again.`);
    if (isGitHubStatus(error, 400, 401, 403, 404))
      throw new DomainError("forbidden", `GitHub refused the sign-in (${statusOf(error)}); try again.`);
    throw unreachable("GitHub could not complete the sign-in", error);
  }
}

/** The account behind a user access token (GET /user). */
export async function fetchAuthenticatedUser(options: Endpoint & { token: string }): Promise<GithubAccount> {
  try {
    return toAccount((await userClient(options).rest.users.getAuthenticated()).data);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw unreachable("GitHub did not return the signed-in user", error);
  }
}

/** A GitHub account by username (GET /users/<login>), or not_found. */
export async function fetchUserByLogin(options: Endpoint & { login: string; token?: string }): Promise<GithubAccount> {
  const login = options.login.trim().replace(/^@/, "");
  if (!LOGIN.test(login)) throw new DomainError("invalid_input", `"${options.login}" is not a GitHub username.`);
  try {
    return toAccount((await userClient(options).rest.users.getByUsername({ username: login })).data);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (isGitHubStatus(error, 404)) throw new DomainError("not_found", `There is no GitHub user named "${login}".`);
    throw unreachable(`GitHub did not answer for "${login}"`, error);
  }
}

/**
 * Whether the signed-in user is an active member of `org` (GET /user/memberships/orgs/<org> with
 * their own token, which needs the read:org scope; private memberships count). 404/403: not a member.
 */
export async function isOrganisationMember(options: Endpoint & { token: string; org: string }): Promise<boolean> {
  try {
    const { data } = await userClient(options).rest.orgs.getMembershipForAuthenticatedUser({ org: options.org });
    return data.state === "active";
  } catch (error) {
    if (isGitHubStatus(error, 404, 403)) return false;
    throw unreachable(`GitHub did not answer about the organisation ${options.org}`, error);
  }
}
