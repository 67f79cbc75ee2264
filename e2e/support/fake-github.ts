// A stand-in for github.com and api.github.com speaking the part of their contract Slipway uses:
// the OAuth web flow (authorize → code → access token) and the user API. Listens on 127.0.0.1 (a
// random port unless one is given); used by Playwright specs and by vitest integration tests.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeGithubUser {
  id: number;
  login: string;
  name?: string | null;
  avatar_url?: string;
  /** Organisations the account is an active member of (GET /user/memberships/orgs/<org>). */
  orgs?: string[];
}

export interface FakeGithub {
  /** http://127.0.0.1:<port> — both the OAuth and the API base URL. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Adds (or replaces) a GitHub account known to the server. */
  addUser(user: FakeGithubUser): FakeGithubUser;
  /** The account the "browser" is signed in to on GitHub: /login/oauth/authorize approves as it. */
  signInAs(login: string): void;
  /** Requests received, for assertions ("METHOD /path"). */
  requests: string[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) return text ? (JSON.parse(text) as Record<string, string>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

function publicUser(user: FakeGithubUser) {
  return {
    id: user.id,
    login: user.login,
    name: user.name ?? null,
    avatar_url: user.avatar_url ?? `https://avatars.example/u/${user.id}`,
    type: "User",
  };
}

export async function startFakeGithub(options: { port?: number; clientId?: string; clientSecret?: string } = {}): Promise<FakeGithub> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const users = new Map<string, FakeGithubUser>();
  const codes = new Map<string, { login: string; redirectUri: string }>();
  const tokens = new Map<string, string>();
  const requests: string[] = [];
  let signedIn: string | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}`);
    void (async () => {
      if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
        const redirectUri = url.searchParams.get("redirect_uri");
        if (url.searchParams.get("client_id") !== clientId || !redirectUri)
          return json(res, 400, { error: "unknown client or missing redirect_uri" });
        if (!signedIn) return json(res, 401, { error: "nobody is signed in to the fake GitHub (call signInAs)" });
        const code = randomBytes(10).toString("hex");
        codes.set(code, { login: signedIn, redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set("code", code);
        const state = url.searchParams.get("state");
        if (state !== null) back.searchParams.set("state", state);
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
        const body = await readBody(req);
        const grant = body.code ? codes.get(body.code) : undefined;
        // GitHub answers 200 with an error field for a bad code; codes are single-use.
        let answer: Record<string, string>;
        if (body.client_id !== clientId || body.client_secret !== clientSecret) answer = { error: "incorrect_client_credentials" };
        else if (!grant || (body.redirect_uri && body.redirect_uri !== grant.redirectUri)) answer = { error: "bad_verification_code" };
        else {
          codes.delete(body.code!);
          const token = `gho_${randomBytes(16).toString("hex")}`;
          tokens.set(token, grant.login);
          answer = { access_token: token, token_type: "bearer", scope: "read:user" };
        }
        if ((req.headers.accept ?? "").includes("application/json")) return json(res, 200, answer);
        res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
        return res.end(new URLSearchParams(answer).toString());
      }
      if (req.method === "GET" && url.pathname === "/user") {
        const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
        const login = token ? tokens.get(token) : undefined;
        const user = login ? users.get(login.toLowerCase()) : undefined;
        return user ? json(res, 200, publicUser(user)) : json(res, 401, { message: "Bad credentials" });
      }
      const membership = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && membership) {
        const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
        const login = token ? tokens.get(token) : undefined;
        const user = login ? users.get(login.toLowerCase()) : undefined;
        if (!user) return json(res, 401, { message: "Bad credentials" });
        const org = decodeURIComponent(membership[1]!);
        const member = (user.orgs ?? []).some((o) => o.toLowerCase() === org.toLowerCase());
        return member
          ? json(res, 200, { state: "active", role: "member", organization: { login: org } })
          : json(res, 404, { message: "Not Found" });
      }
      const byLogin = /^\/users\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && byLogin) {
        const user = users.get(decodeURIComponent(byLogin[1]!).toLowerCase());
        return user ? json(res, 200, publicUser(user)) : json(res, 404, { message: "Not Found" });
      }
      json(res, 404, { message: "Not Found" });
    })().catch((error: Error) => json(res, 500, { message: error.message }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    addUser(user) {
      users.set(user.login.toLowerCase(), user);
      return user;
    },
    signInAs(login) {
      if (!users.has(login.toLowerCase())) throw new Error(`unknown fake GitHub user ${login}`);
      signedIn = login;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The fake GitHub the e2e platform is configured with (scripts/test.mjs and playwright.config.ts
 * set SLIPWAY_GITHUB_* to these); a spec starts it with startFakeGithub(E2E_GITHUB).
 */
export const E2E_GITHUB = { port: 3199, clientId: "slipway-e2e-client", clientSecret: "slipway-e2e-secret" } as const;
