// The one way Slipway talks to GitHub's REST API: an Octokit with GitHub's recommended retry and
// rate-limit handling (plugin-retry for 5xx/network errors, plugin-throttling for the primary limit —
// 403/429 with x-ratelimit-remaining: 0, waits until x-ratelimit-reset — and the secondary limit —
// 403/429 "secondary rate limit", waits retry-after), both bounded. The base URL comes from
// packages/config (SLIPWAY_GITHUB_API_URL: api.github.com, GitHub Enterprise's /api/v3, or the
// GitHub double in tests). Never log the auth: Octokit's own log gets no request headers.
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";

/** How a client authenticates (docs/decisions/0010-github-credentials.md). */
export type GitHubAuth =
  | { readonly kind: "none" }
  /** A personal (fine-grained) token or an OAuth user token. */
  | { readonly kind: "token"; readonly token: string }
  /** A GitHub App: app-level calls (GET /repos/{o}/{r}/installation, /app/...) sign a JWT (RS256). */
  | { readonly kind: "app"; readonly appId: number; readonly privateKey: string }
  /** A GitHub App installation: installation tokens are minted on first use (and cached for this client only). */
  | { readonly kind: "app-installation"; readonly appId: number; readonly privateKey: string; readonly installationId: number };

export interface GitHubClientLimits {
  /** Retries of one request after a rate limit (primary or secondary). Default 3. */
  readonly rateLimitRetries?: number;
  /** Longest wait (seconds) the client accepts before a retry; a later reset fails the call at once. Default 120. */
  readonly maxWaitSeconds?: number;
  /** Retries of a 5xx / network failure. Default 3. */
  readonly serverErrorRetries?: number;
  /** Milliseconds per "second" of retry-after / backoff: 1000 in production; tests may shrink it. */
  readonly retryUnitMs?: number;
  /** Per-request timeout (ms). Default 15000. */
  readonly timeoutMs?: number;
}

export interface GitHubClientOptions {
  /** REST API base URL, e.g. config.github.apiUrl. */
  readonly baseUrl: string;
  readonly auth: GitHubAuth;
  readonly limits?: GitHubClientLimits;
  /** Told about rate-limit waits and give-ups (method, url, seconds); never receives credentials. */
  readonly onLimit?: (event: {
    kind: "rate-limit" | "secondary-limit";
    method: string;
    url: string;
    retryAfter: number;
    retrying: boolean;
  }) => void;
}

const SlipwayOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof SlipwayOctokit>;

/** Statuses that are answers, not faults: plugin-retry's list plus 409 (merge conflicts). */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let clients = 0;

/** An Octokit for `baseUrl` with `auth`; cheap to create, meant for one unit of work (a job, a request). */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const limits = options.limits ?? {};
  const rateLimitRetries = limits.rateLimitRetries ?? 3;
  const maxWait = limits.maxWaitSeconds ?? 120;
  const unit = limits.retryUnitMs ?? 1000;
  const onLimit =
    (kind: "rate-limit" | "secondary-limit") =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < rateLimitRetries && retryAfter <= maxWait;
      options.onLimit?.({ kind, method: request.method, url: request.url, retryAfter, retrying });
      return retrying;
    };
  const auth = options.auth;
  const authOptions =
    auth.kind === "token"
      ? { auth: auth.token }
      : auth.kind === "app"
        ? { authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey } }
        : auth.kind === "app-installation"
          ? {
              authStrategy: createAppAuth,
              auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
            }
          : {};
  return new SlipwayOctokit({
    ...authOptions,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: "slipway",
    log: silent,
    // Not request.retries: plugin-retry would then retry every failure (403s included) at once.
    request: { timeout: limits.timeoutMs ?? 15_000 },
    // 409 (a merge conflict, an empty repository) is an answer, not a fault: never retried.
    retry: { retryAfterBaseValue: unit, retries: limits.serverErrorRetries ?? 3, doNotRetry: DO_NOT_RETRY },
    throttle: {
      // Each client its own Bottleneck key: one project's limit does not queue another's calls.
      id: `slipway-${++clients}`,
      retryAfterBaseValue: unit,
      onRateLimit: onLimit("rate-limit"),
      onSecondaryRateLimit: onLimit("secondary-limit"),
    },
  });
}

/** Whether an error is Octokit's RequestError with the given HTTP status. */
export function isGitHubStatus(error: unknown, ...statuses: number[]): boolean {
  return typeof error === "object" && error !== null && "status" in error && statuses.includes((error as { status: number }).status);
}
