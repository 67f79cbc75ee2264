// A tiny router for the GitHub double: route modules register handlers on path patterns
// ("/repos/:owner/:repo/keys/:key_id"); the index dispatches, logs and applies the rate-limit hook.
import { createPublicKey, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fingerprint, type DoubleState } from "./state";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Who the Authorization header says the caller is (null: anonymous or unknown credentials). */
export type Caller =
  | { kind: "user"; login: string; token: string }
  | { kind: "installation"; installationId: number; token: string }
  | { kind: "app"; appId: number };

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Parsed JSON (or form) body; {} when empty. */
  body: Record<string, unknown>;
  state: DoubleState;
  /** The double's own base URL (http://127.0.0.1:<port>), for URLs in responses. */
  baseUrl: string;
  caller: Caller | null;
  /** Whether an Authorization header was sent at all (a bad one answers 401 Bad credentials). */
  authSent: boolean;
  /** Answers JSON with GitHub's usual API headers (content-type, x-ratelimit-*, x-github-*). */
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** 204 No Content with the usual headers. */
  noContent(): void;
  /** GitHub's error body: { message, documentation_url, status }. */
  error(status: number, message: string, extra?: Record<string, unknown>): void;
}

export type Handler = (ctx: RouteContext) => unknown;

interface Route {
  method: Method;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** API routes get the rate-limit hook and the x-ratelimit headers; browser/OAuth pages do not. */
  api: boolean;
}

export class Router {
  readonly routes: Route[] = [];
  private add(method: Method, path: string, handler: Handler, api: boolean): void {
    const names: string[] = [];
    const pattern = new RegExp(
      "^" +
        path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:([a-z_]+)/g, (_m, name: string) => {
          names.push(name);
          return "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({ method, pattern, names, handler, api });
  }
  get(path: string, handler: Handler): void {
    this.add("GET", path, handler, true);
  }
  post(path: string, handler: Handler): void {
    this.add("POST", path, handler, true);
  }
  put(path: string, handler: Handler): void {
    this.add("PUT", path, handler, true);
  }
  patch(path: string, handler: Handler): void {
    this.add("PATCH", path, handler, true);
  }
  delete(path: string, handler: Handler): void {
    this.add("DELETE", path, handler, true);
  }
  /** github.com pages (OAuth authorize/token, settings/apps/new): no API headers, no rate limit. */
  page(method: Method, path: string, handler: Handler): void {
    this.add(method, path, handler, false);
  }
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return null;
  }
}

/** A route module: registers its routes on the router (see github-double/index.ts's list). */
export type RouteModule = (router: Router, state: DoubleState) => void;

function base64url(text: string): Buffer {
  return Buffer.from(text, "base64url");
}

/** Resolves the Authorization header: a known token, or a GitHub App JWT (RS256) signed with a known app's key. */
export function resolveCaller(state: DoubleState, header: string | undefined): { caller: Caller | null; logged: string | null } {
  const m = /^(?:Bearer|token) (.+)$/i.exec(header ?? "");
  if (!m) return { caller: null, logged: null };
  const secret = m[1]!.trim();
  const parts = secret.split(".");
  if (parts.length === 3) {
    try {
      const payload = JSON.parse(base64url(parts[1]!).toString("utf8")) as { iss?: unknown; exp?: unknown };
      const app = [...state.apps.values()].find((a) => String(a.id) === String(payload.iss) || a.client_id === payload.iss);
      const now = Math.floor(Date.now() / 1000);
      if (
        app &&
        typeof payload.exp === "number" &&
        payload.exp > now &&
        verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(app.publicKeyPem), base64url(parts[2]!))
      )
        return { caller: { kind: "app", appId: app.id }, logged: `jwt:app ${app.id}` };
    } catch {
      // not a JWT we can read: falls through to "unknown"
    }
    return { caller: null, logged: `jwt:invalid` };
  }
  const known = state.tokens.get(secret);
  const logged = `token:${fingerprint(secret)}`;
  if (!known || (known.expiresAt !== undefined && known.expiresAt < Date.now())) return { caller: null, logged };
  if (known.installationId !== undefined)
    return { caller: { kind: "installation", installationId: known.installationId, token: secret }, logged };
  return known.login ? { caller: { kind: "user", login: known.login, token: secret }, logged } : { caller: null, logged };
}
