import { DomainError } from "@slipway/domain";

/** A GitHub account as Slipway keeps it (GET /user, GET /users/<login>). */
export interface GithubAccount {
  githubId: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

const TIMEOUT_MS = 10_000;

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "error" });
  } catch (error) {
    throw new DomainError("upstream_failed", "GitHub could not be reached; try again shortly.", { cause: error });
  }
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

const apiHeaders = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "slipway" };

/** OAuth web flow, step 2: the authorization code for an access token. */
export async function exchangeCode(options: {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
}): Promise<string> {
  const res = await call(`${options.oauthUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json", "user-agent": "slipway" },
    body: JSON.stringify({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code: options.code,
      redirect_uri: options.redirectUri,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
  if (!res.ok || typeof body.access_token !== "string") {
    throw new DomainError(
      "forbidden",
      `GitHub refused the sign-in (${typeof body.error === "string" ? body.error : `HTTP ${res.status}`}); try again.`,
    );
  }
  return body.access_token;
}

/** The account behind an access token (GET /user). */
export async function fetchAuthenticatedUser(options: { apiUrl: string; token: string }): Promise<GithubAccount> {
  const res = await call(`${options.apiUrl}/user`, { headers: { ...apiHeaders, authorization: `Bearer ${options.token}` } });
  if (!res.ok) throw new DomainError("upstream_failed", `GitHub did not return the signed-in user (HTTP ${res.status}).`);
  return toAccount(await res.json());
}

/** A GitHub account by username (GET /users/<login>), or not_found. */
export async function fetchUserByLogin(options: { apiUrl: string; login: string; token?: string }): Promise<GithubAccount> {
  const login = options.login.trim().replace(/^@/, "");
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(login)) {
    throw new DomainError("invalid_input", `"${options.login}" is not a GitHub username.`);
  }
  const headers: Record<string, string> = { ...apiHeaders };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await call(`${options.apiUrl}/users/${encodeURIComponent(login)}`, { headers });
  if (res.status === 404) throw new DomainError("not_found", `There is no GitHub user named "${login}".`);
  if (!res.ok) throw new DomainError("upstream_failed", `GitHub did not answer for "${login}" (HTTP ${res.status}).`);
  return toAccount(await res.json());
}

/**
 * Whether the signed-in user is an active member of `org` (GET /user/memberships/orgs/<org> with
 * their own token, which needs the read:org scope; private memberships count). 404/403: not a member.
 */
export async function isOrganisationMember(options: { apiUrl: string; token: string; org: string }): Promise<boolean> {
  const res = await call(`${options.apiUrl}/user/memberships/orgs/${encodeURIComponent(options.org)}`, {
    headers: { ...apiHeaders, authorization: `Bearer ${options.token}` },
  });
  if (res.status === 404 || res.status === 403) return false;
  if (!res.ok)
    throw new DomainError("upstream_failed", `GitHub did not answer about the organisation ${options.org} (HTTP ${res.status}).`);
  const body = (await res.json().catch(() => ({}))) as { state?: unknown };
  return body.state === "active";
}
