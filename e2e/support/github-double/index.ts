// The GitHub double: a stand-in for github.com and api.github.com speaking the part of GitHub's REST
// contract Slipway uses (checked against recorded real responses and GitHub's OpenAPI description by
// packages/github/src/contract/). Listens on 127.0.0.1 (a random port unless one is given); used by
// Playwright specs and vitest integration tests. Route modules register on one router and share one
// in-memory state; to add endpoints see /work/notes/github-client.md (or the list below).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { githubTime } from "./access";
import { appRoutes, createDoubleApp, type ManifestResult } from "./apps";
import { oauthRoutes } from "./oauth";
import { repoRoutes, repoJson } from "./repos";
import { deployKeysOf, keysAndHooksRoutes, webhooksOf } from "./keys-and-hooks";
import { statusAndMergeRoutes } from "./statuses-and-merges";
import { resolveCaller, Router, type RouteContext, type RouteModule } from "./router";
import {
  createState,
  fingerprint,
  newToken,
  repoKey,
  type DoubleInstallation,
  type DoubleRepo,
  type DoubleState,
  type DoubleUser,
} from "./state";
import { userRoutes } from "./users";

export type { DoubleInstallation, DoubleRepo, DoubleState, DoubleUser, RouteModule, ManifestResult };
export { githubTime, repoJson };
export { deployKeysOf, webhooksOf };
/** @deprecated the old name (e2e/support/fake-github.ts). */
export type FakeGithubUser = DoubleUser;

export interface GithubDouble {
  /** http://127.0.0.1:<port> — both the OAuth (github.com) and the API (api.github.com) base URL. */
  url: string;
  clientId: string;
  clientSecret: string;
  state: DoubleState;
  /** Adds (or replaces) a GitHub account known to the double. */
  addUser(user: DoubleUser): DoubleUser;
  /** The account the "browser" is signed in to on GitHub: OAuth authorize and app creation approve as it. */
  signInAs(login: string): void;
  /** A personal access token (fine-grained, "github_pat_…") acting as `login`. */
  issueToken(login: string): string;
  /** Adds a repository (owner: admin). */
  addRepo(repo: { owner: string; name: string; private?: boolean; default_branch?: string; admins?: string[] }): DoubleRepo;
  /** Creates a GitHub App directly (as the manifest flow would) and returns its credentials. */
  createApp(owner: string, name?: string): ManifestResult;
  /** Installs app `appId` on `account` for the given repositories ("owner/name") or all of them. */
  installApp(appId: number, account: string, repositories: "all" | string[]): DoubleInstallation;
  /** The next `count` API requests answer 403 rate-limited (primary: x-ratelimit-remaining 0 + reset; secondary: retry-after). */
  rateLimitNext(count: number, kind?: "primary" | "secondary", seconds?: number): void;
  /** Requests received ("METHOD /path"), oldest first (tests may empty it; state.log keeps details). */
  requests: string[];
  close(): Promise<void>;
}

/** @deprecated the old name (e2e/support/fake-github.ts). */
export type FakeGithub = GithubDouble;

const RATE_LIMIT = 5000;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

export interface GithubDoubleOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Extra route modules (tests); the standard ones are always there. */
  modules?: RouteModule[];
}

/**
 * The route modules every double serves. Adding an endpoint family: write `<name>.ts` exporting a
 * RouteModule, add it here, and add its contract cases in packages/github/src/contract/.
 */
const standardModules = (client: { clientId: string; clientSecret: string }): RouteModule[] => [
  oauthRoutes(client),
  userRoutes,
  repoRoutes,
  appRoutes,
  keysAndHooksRoutes,
  statusAndMergeRoutes,
];

export async function startGithubDouble(options: GithubDoubleOptions = {}): Promise<GithubDouble> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const state = createState();
  const router = new Router();
  for (const module of [...standardModules({ clientId, clientSecret }), ...(options.modules ?? [])]) module(router, state);
  let baseUrl = "";
  const requests: string[] = [];
  let used = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const { caller, logged } = resolveCaller(state, req.headers.authorization);
    const record: DoubleState["log"][number] = { method, path: url.pathname, query: url.search.slice(1), auth: logged, body: undefined };
    state.log.push(record);
    requests.push(`${method} ${url.pathname}`);
    const found = router.match(method, url.pathname);
    const reset = () => Math.floor(Date.now() / 1000) + 3600;
    const apiHeaders = (): Record<string, string> => ({
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - ++used)),
      "x-ratelimit-reset": String(reset()),
      "x-ratelimit-used": String(used),
      "x-ratelimit-resource": "core",
    });
    const send = (status: number, body: unknown, headers: Record<string, string>) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const ctx: RouteContext = {
      req,
      res,
      url,
      params: found?.params ?? {},
      body: {},
      state,
      baseUrl,
      caller,
      authSent: req.headers.authorization !== undefined,
      json: (status, body, headers) =>
        send(status, body, {
          ...(found?.route.api === false ? { "content-type": "application/json; charset=utf-8" } : apiHeaders()),
          ...headers,
        }),
      noContent: () => {
        const headers = apiHeaders();
        delete headers["content-type"];
        send(204, undefined, headers);
      },
      error: (status, message, extra) =>
        ctx.json(status, { message, documentation_url: "https://docs.github.com/rest", status: String(status), ...extra }),
    };
    void (async () => {
      if (!found) return ctx.error(404, "Not Found");
      ctx.body = await readBody(req);
      record.body = ctx.body;
      if (found.route.api && state.rateLimited.remaining > 0) {
        state.rateLimited.remaining--;
        const seconds = state.rateLimited.resetSeconds;
        if (state.rateLimited.kind === "secondary")
          return send(
            403,
            {
              message:
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
              documentation_url:
                "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
              status: "403",
            },
            { ...apiHeaders(), "retry-after": String(seconds) },
          );
        return send(
          403,
          {
            message:
              "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000 and timestamp 2026-01-01 00:00:00 UTC.",
            documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            status: "403",
          },
          {
            ...apiHeaders(),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": String(RATE_LIMIT),
            "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + seconds),
          },
        );
      }
      await found.route.handler(ctx);
    })().catch((error: Error) => {
      if (!res.headersSent) ctx.json(500, { message: error.message });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    clientId,
    clientSecret,
    state,
    addUser(user) {
      state.users.set(user.login.toLowerCase(), user);
      return user;
    },
    signInAs(login) {
      if (!state.users.has(login.toLowerCase())) throw new Error(`unknown GitHub double user ${login}`);
      state.signedIn = login;
    },
    issueToken(login) {
      const token = newToken("github_pat");
      state.tokens.set(token, { login });
      return token;
    },
    addRepo(repo) {
      const added: DoubleRepo = {
        id: state.nextId(),
        owner: repo.owner,
        name: repo.name,
        private: repo.private ?? false,
        default_branch: repo.default_branch ?? "main",
        admins: repo.admins ?? [],
        data: {},
      };
      state.repos.set(repoKey(repo.owner, repo.name), added);
      return added;
    },
    createApp(owner, name) {
      return createDoubleApp(state, baseUrl, owner, { name: name ?? `slipway-${state.apps.size + 1}`, url: "https://slipway.example" });
    },
    installApp(appId, account, repositories) {
      if (!state.apps.has(appId)) throw new Error(`unknown app ${appId}`);
      const installation: DoubleInstallation = {
        id: state.nextId(),
        appId,
        account,
        repositories: repositories === "all" ? "all" : repositories.map((r) => r.toLowerCase()),
      };
      state.installations.set(installation.id, installation);
      return installation;
    },
    rateLimitNext(count, kind = "primary", seconds = 1) {
      state.rateLimited = { remaining: count, kind, resetSeconds: seconds };
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** @deprecated the old name (e2e/support/fake-github.ts). */
export const startFakeGithub = startGithubDouble;

/**
 * The GitHub double the e2e platform is configured with (scripts/test.mjs and playwright.config.ts
 * set SLIPWAY_GITHUB_* to these); a spec starts it with startGithubDouble(E2E_GITHUB).
 */
export const E2E_GITHUB = { port: 3199, clientId: "slipway-e2e-client", clientSecret: "slipway-e2e-secret" } as const;

export { fingerprint, newToken };
