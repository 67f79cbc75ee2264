import { DomainError } from "@slipway/domain";

/**
 * Drives Caddy through its admin API (loopback only). Every build gets one route, identified by
 * an `@id`, matching its hostname(s): Odoo's database manager is refused (403, see
 * DATABASE_MANAGER_PATHS), `/websocket` (Odoo ≥ 16) and `/longpolling` go to the gevent port,
 * everything else to the HTTP port. Build routes are inserted before the final catch-all 404.
 * A route carries its project's id (a `vars` handler): a hostname held by another project's route
 * is never taken over (issue 11, item 6).
 */
export interface CaddyOptions {
  adminUrl: string;
  server?: string;
}

export interface BuildRoute {
  id: string;
  /** The build's project: only routes of the same project may hold the same hostname. */
  projectId: string;
  hosts: string[];
  /** host:port of Odoo's HTTP port (8069). */
  upstream: string;
  /** host:port of Odoo's gevent port (8072). */
  websocketUpstream: string;
}

export const ROUTE_PREFIX = "slipway-route-";
/** Name of the Caddy variable holding a route's project id (set by a `vars` handler). */
export const PROJECT_VAR = "slipway_project";
/**
 * Odoo's database manager (list, create, duplicate, drop, dump, restore databases): the pages and
 * forms under /web/database/ and the XML-RPC `db` service. Caddy's path matcher is
 * case-insensitive and matches the cleaned, decoded path (`//`, `/./`, `%2F` and `%64` forms are
 * refused too). The `db` service over `/jsonrpc` is named in the JSON body, which Caddy 2.6
 * cannot match: the platform's server-wide addon `slipway_connect` refuses it inside Odoo.
 */
export const DATABASE_MANAGER_PATHS = ["/web/database", "/web/database/*", "/xmlrpc/db", "/xmlrpc/db/*", "/xmlrpc/2/db", "/xmlrpc/2/db/*"];
const DATABASE_MANAGER_REFUSAL = "Odoo's database manager is disabled on Slipway builds.\n";
const CATCH_ALL_ID = "slipway-not-found";
/**
 * Routes that stay in front of every build route (edge.ts: the HTTP → HTTPS redirect, the control
 * panel's host): build, maintenance and red-page routes are inserted right after them.
 */
export const FRONT_PREFIX = "slipway-front-";
export const MAINTENANCE_PREFIX = "slipway-maintenance-";
/** Routes of red builds whose server could not start: the explanatory page (redBuildPage) at their hostname. */
export const RED_PAGE_PREFIX = "slipway-red-";
export const MAINTENANCE_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Maintenance in progress</title></head>' +
  '<body style="font-family:sans-serif;text-align:center;margin-top:20vh"><h1>Maintenance in progress</h1>' +
  "<p>This database is being updated. Please come back in a few minutes.</p></body></html>\n";

export class CaddyClient {
  private readonly base: string;
  private readonly server: string;
  /** Route changes of this client run one at a time: a hostname check and its insert are not interleaved. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor({ adminUrl, server = "slipway" }: CaddyOptions) {
    this.base = adminUrl.replace(/\/$/, "");
    this.server = server;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const attempt = () =>
      fetch(this.base + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    try {
      // Caddy may close a kept-alive admin connection while it applies a config change: one retry.
      return await attempt().catch(() => attempt());
    } catch (e) {
      throw new DomainError("upstream_failed", `Caddy's admin API at ${this.base} is unreachable: ${(e as Error).message}`, { cause: e });
    }
  }

  private async expectOk(res: Response, what: string): Promise<void> {
    if (!res.ok) throw new DomainError("upstream_failed", `Caddy refused to ${what}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }

  private get routesPath(): string {
    return `/config/apps/http/servers/${this.server}/routes`;
  }

  /** Makes sure the server ends with a 404 route for unknown hosts (instead of Caddy's empty 200). */
  async ensureCatchAll(): Promise<void> {
    await this.routesWithCatchAll();
  }

  /**
   * The server's routes, the 404 catch-all added at their end first when missing: one read of
   * the routes for both (a route change reads them once).
   */
  private async routesWithCatchAll(): Promise<Array<Record<string, unknown>>> {
    const routes = await this.routes();
    if (routes.some((r) => r["@id"] === CATCH_ALL_ID)) return routes;
    const catchAll = {
      "@id": CATCH_ALL_ID,
      handle: [{ handler: "static_response", status_code: 404, body: "No Slipway build answers at this address.\n" }],
    };
    const res = await this.call("POST", this.routesPath, catchAll);
    await this.expectOk(res, "add the catch-all route");
    return [...routes, catchAll];
  }

  async routes(): Promise<Array<Record<string, unknown>>> {
    const res = await this.call("GET", this.routesPath);
    await this.expectOk(res, "list routes");
    return ((await res.json()) as Array<Record<string, unknown>> | null) ?? [];
  }

  /** Ids of the build routes currently registered. */
  async routeIds(): Promise<string[]> {
    return (await this.routes()).map((r) => String(r["@id"] ?? "")).filter((id) => id.startsWith(ROUTE_PREFIX));
  }

  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  /**
   * Registers (or replaces) a build route; idempotent. Successive builds of a project may hold the
   * same hostname (the newest route, inserted first, wins until the older one is removed); a
   * hostname held by a build route or a maintenance page of another project is refused with a
   * `conflict` DomainError, and nothing changes.
   */
  async upsertRoute(route: BuildRoute): Promise<void> {
    if (!route.id.startsWith(ROUTE_PREFIX)) throw new DomainError("invalid_input", `Route ids start with ${ROUTE_PREFIX}`);
    if (!route.projectId) throw new DomainError("invalid_input", "A build route names its project");
    await this.putInFront(route, buildRouteBody(route), { refused: "it was not taken over", what: `register ${route.hosts.join(", ")}` });
  }

  /**
   * The one way a route goes in front of all others (index 0, before the catch-all): under the
   * lock, after the hostname rule (a host held by another project's route: `conflict`, nothing
   * changes), replacing the route of the same id.
   */
  private putInFront(
    route: { id: string; projectId: string; hosts: string[] },
    body: Record<string, unknown>,
    words: { refused: string; what: string },
  ): Promise<void> {
    return this.serialized(async () => {
      const routes = await this.routesWithCatchAll();
      const holder = hostHolder(routes, route);
      if (holder) {
        throw new DomainError(
          "conflict",
          `The hostname ${holder.host} is already routed to another project (route ${holder.id}); ${words.refused}.`,
        );
      }
      // Route changes of this client are serialized: a route absent from the list just read is absent.
      if (routes.some((r) => r["@id"] === route.id)) await this.removeRoute(route.id);
      const res = await this.call("PUT", `${this.routesPath}/${frontCount(routes)}`, body);
      await this.expectOk(res, words.what);
    });
  }

  /**
   * Points a build's route at `target` (its server's ports), or, with `target` null, makes it answer
   * 502 "not running" (UNAVAILABLE_PAGE) instead of proxying anywhere. An existing route is replaced
   * where it stands (a maintenance page in front of it stays in front); a missing one is inserted
   * first. Same hostname rule as upsertRoute (conflict, nothing changes). Returns what it did.
   */
  async setBuildRoute(
    route: { id: string; projectId: string; hosts: string[] },
    target: Pick<BuildRoute, "upstream" | "websocketUpstream"> | null,
  ): Promise<"unchanged" | "replaced" | "inserted"> {
    if (!route.id.startsWith(ROUTE_PREFIX)) throw new DomainError("invalid_input", `Route ids start with ${ROUTE_PREFIX}`);
    if (!route.projectId) throw new DomainError("invalid_input", "A build route names its project");
    return this.serialized(async () => {
      const routes = await this.routesWithCatchAll();
      const holder = hostHolder(routes, route);
      if (holder) {
        throw new DomainError(
          "conflict",
          `The hostname ${holder.host} is already routed to another project (route ${holder.id}); it was not taken over.`,
        );
      }
      const body = target ? buildRouteBody({ ...route, ...target }) : unavailableRouteBody(route);
      const current = routes.find((r) => r["@id"] === route.id);
      if (current) {
        if (JSON.stringify(normalized(current)) === JSON.stringify(normalized(body))) return "unchanged";
        const res = await this.call("PATCH", `/id/${encodeURIComponent(route.id)}`, body);
        await this.expectOk(res, `update ${route.hosts.join(", ")}`);
        return "replaced";
      }
      const res = await this.call("PUT", `${this.routesPath}/${frontCount(routes)}`, body);
      await this.expectOk(res, `register ${route.hosts.join(", ")}`);
      return "inserted";
    });
  }

  /**
   * Puts a static 503 "Maintenance in progress" answer in front of every other route for `hosts`
   * (a safe production update). Its id has its own prefix, so build-route housekeeping (reconcile)
   * never mistakes it for a build route; remove it with removeRoute(id) once a real route is back.
   */
  async upsertMaintenanceRoute(route: { id: string; projectId: string; hosts: string[] }): Promise<void> {
    if (!route.id.startsWith(MAINTENANCE_PREFIX))
      throw new DomainError("invalid_input", `Maintenance route ids start with ${MAINTENANCE_PREFIX}`);
    if (!route.projectId) throw new DomainError("invalid_input", "A maintenance route names its project");
    const body = staticPageRoute(route, { status: 503, retryAfter: 30, html: MAINTENANCE_PAGE });
    await this.putInFront(route, body, {
      refused: "no maintenance page was put in front of it",
      what: `show the maintenance page for ${route.hosts.join(", ")}`,
    });
  }

  /**
   * Makes a red build's hostname answer 503 with `html` (redBuildPage: why it is red, a link to the
   * build) instead of the catch-all 404, until removeRoute(id). Its id has its own prefix, so
   * build-route housekeeping never mistakes it for a build route. Same hostname rule as upsertRoute.
   */
  async upsertRedPageRoute(route: { id: string; projectId: string; hosts: string[] }, html: string): Promise<void> {
    if (!route.id.startsWith(RED_PAGE_PREFIX)) throw new DomainError("invalid_input", `Red page route ids start with ${RED_PAGE_PREFIX}`);
    if (!route.projectId) throw new DomainError("invalid_input", "A red page route names its project");
    const body = staticPageRoute(route, { status: 503, html });
    await this.putInFront(route, body, { refused: "no page was put there", what: `show the red build page for ${route.hosts.join(", ")}` });
  }

  /** Ids of the red build pages currently registered. */
  async redPageRouteIds(): Promise<string[]> {
    return (await this.routes()).map((r) => String(r["@id"] ?? "")).filter((id) => id.startsWith(RED_PAGE_PREFIX));
  }

  /**
   * Makes the routes in front (ids starting with FRONT_PREFIX) exactly `wanted`, in that order,
   * before every other route; idempotent (nothing is written when they already are). Returns
   * whether anything changed.
   */
  async setFrontRoutes(wanted: Array<Record<string, unknown>>): Promise<boolean> {
    if (wanted.some((r) => !String(r["@id"] ?? "").startsWith(FRONT_PREFIX)))
      throw new DomainError("invalid_input", `Front route ids start with ${FRONT_PREFIX}`);
    return this.serialized(async () => {
      const routes = await this.routesWithCatchAll();
      const current = routes.slice(0, frontCount(routes));
      const stray = routes.slice(current.length).some((r) => String(r["@id"] ?? "").startsWith(FRONT_PREFIX));
      if (!stray && JSON.stringify(current.map(normalized)) === JSON.stringify(wanted.map(normalized))) return false;
      for (const r of routes) {
        const id = String(r["@id"] ?? "");
        if (id.startsWith(FRONT_PREFIX)) await this.removeRoute(id);
      }
      for (const [index, body] of wanted.entries()) {
        const res = await this.call("PUT", `${this.routesPath}/${index}`, body);
        await this.expectOk(res, `put ${String(body["@id"])} in front`);
      }
      return true;
    });
  }

  /** The JSON at `path` of Caddy's configuration (e.g. `apps/tls`); null when it is not set. */
  async getConfig(path: string): Promise<unknown> {
    const res = await this.call("GET", `/config/${path}`);
    await this.expectOk(res, `read ${path}`);
    return (await res.json()) as unknown;
  }

  /**
   * Sets the JSON at `path` (replaced when it exists, created otherwise) unless it already holds
   * `value`; returns whether it wrote. Runs under the route lock.
   */
  async setConfig(path: string, value: unknown): Promise<boolean> {
    return this.serialized(async () => {
      const current = await this.getConfig(path);
      if (JSON.stringify(normalized(current)) === JSON.stringify(normalized(value))) return false;
      const res = await this.call(current === null ? "POST" : "PATCH", `/config/${path}`, value);
      await this.expectOk(res, `set ${path}`);
      return true;
    });
  }

  /** Removes the JSON at `path` when it is set; returns whether it removed anything. */
  async deleteConfig(path: string): Promise<boolean> {
    return this.serialized(async () => {
      if ((await this.getConfig(path)) === null) return false;
      const res = await this.call("DELETE", `/config/${path}`);
      await this.expectOk(res, `remove ${path}`);
      return true;
    });
  }

  /** The server's name in Caddy's http app (`apps/http/servers/<name>`). */
  get serverName(): string {
    return this.server;
  }

  async removeRoute(id: string): Promise<void> {
    const res = await this.call("DELETE", `/id/${encodeURIComponent(id)}`);
    if (res.status === 404 || res.ok) return;
    // Caddy answers 500 "unknown object ID" for ids it doesn't have.
    const text = await res.text();
    if (/unknown object ID/i.test(text)) return;
    throw new DomainError("upstream_failed", `Caddy refused to remove route ${id}: ${res.status} ${text.slice(0, 200)}`);
  }
}

/** How many routes at the head of `routes` are front routes (FRONT_PREFIX): where other routes go in. */
function frontCount(routes: Array<Record<string, unknown>>): number {
  let n = 0;
  while (n < routes.length && String(routes[n]!["@id"] ?? "").startsWith(FRONT_PREFIX)) n++;
  return n;
}

/** The project id a route carries (null for routes registered before routes named their project). */
export function routeProjectId(route: Record<string, unknown>): string | null {
  const handlers = Array.isArray(route.handle) ? (route.handle as Array<Record<string, unknown>>) : [];
  const vars = handlers.find((h) => h.handler === "vars" && typeof h[PROJECT_VAR] === "string");
  return vars ? (vars[PROJECT_VAR] as string) : null;
}

export function routeHosts(route: Record<string, unknown>): string[] {
  const matchers = Array.isArray(route.match) ? (route.match as Array<{ host?: unknown }>) : [];
  return matchers.flatMap((m) => (Array.isArray(m.host) ? m.host.filter((h): h is string => typeof h === "string") : []));
}

/**
 * The first of `wanted.hosts` that a build or maintenance route of another project already holds
 * (Caddy compares hostnames without case). The route being replaced (same id) never conflicts;
 * routes that carry no project id (registered before they did) are not an owner anyone can be
 * checked against, and are replaced as before.
 */
export function hostHolder(
  routes: Array<Record<string, unknown>>,
  wanted: { id: string; projectId: string; hosts: string[] },
): { host: string; id: string } | null {
  const hosts = new Set(wanted.hosts.map((h) => h.toLowerCase()));
  for (const route of routes) {
    const id = String(route["@id"] ?? "");
    if (id === wanted.id || ![ROUTE_PREFIX, MAINTENANCE_PREFIX, RED_PAGE_PREFIX].some((p) => id.startsWith(p))) continue;
    const owner = routeProjectId(route);
    if (owner === null || owner === wanted.projectId) continue;
    const host = routeHosts(route).find((h) => hosts.has(h.toLowerCase()));
    if (host) return { host, id };
  }
  return null;
}

export function maintenanceRouteId(buildId: string): string {
  return `${MAINTENANCE_PREFIX}${buildId}`;
}

export function routeIdForBuild(buildId: string): string {
  return `${ROUTE_PREFIX}${buildId}`;
}

export function redPageRouteId(buildId: string): string {
  return `${RED_PAGE_PREFIX}${buildId}`;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * The page a red build's hostname answers when its server could not start: that the build is red,
 * why (the first line of the reason, and the first offending log record when there is one: its
 * first line and the exception that ends its traceback; all escaped),
 * and a link to the build's page in the control panel.
 */
export function redBuildPage(options: { buildNumber: number; reason: string; firstError?: string | null; buildPageUrl: string }): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
  const reason = clip(options.reason.split("\n")[0]!.trim() || "the build failed", 500);
  // The first line of the offending record, and the exception at the bottom of its traceback.
  const lines = (options.firstError ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const error =
    lines.length === 0 ? "" : [clip(lines[0]!, 1000), ...(lines.length > 1 ? ["…", clip(lines[lines.length - 1]!, 1000)] : [])].join("\n");
  const url = /^https?:\/\//.test(options.buildPageUrl) ? options.buildPageUrl : "#";
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Build #${options.buildNumber} is red</title></head>` +
    '<body style="font-family:sans-serif;max-width:48rem;margin:15vh auto;padding:0 1rem">' +
    `<h1>Build #${options.buildNumber} is red</h1>` +
    "<p>Its server could not start, so there is no Odoo to open at this address.</p>" +
    `<p><strong>Why:</strong> ${escapeHtml(reason)}</p>` +
    (error ? `<pre style="white-space:pre-wrap;background:#fef2f2;padding:0.75rem">${escapeHtml(error)}</pre>` : "") +
    `<p><a href="${escapeHtml(url)}">See the build, its steps and its logs</a></p></body></html>\n`
  );
}

/**
 * Upstreams of an Odoo server: with prefork workers, `/websocket` is served by the gevent process
 * on 8072; in threaded mode (`--workers 0`, development builds) it is served on 8069 like the rest.
 */
export function odooUpstreams(ip: string, workers: number): Pick<BuildRoute, "upstream" | "websocketUpstream"> {
  return { upstream: `${ip}:8069`, websocketUpstream: `${ip}:${workers > 0 ? 8072 : 8069}` };
}

/** The page a build route answers (502) while its build's server is not running. */
export const UNAVAILABLE_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Build not running</title></head>' +
  '<body style="font-family:sans-serif;text-align:center;margin-top:20vh"><h1>This build is not running right now</h1>' +
  "<p>Its server is stopped or restarting. Please try again in a moment.</p></body></html>\n";

function buildRouteBody(route: BuildRoute): Record<string, unknown> {
  const proxy = (dial: string) => ({ handler: "reverse_proxy", upstreams: [{ dial }] });
  return {
    "@id": route.id,
    match: [{ host: route.hosts }],
    handle: [
      { handler: "vars", [PROJECT_VAR]: route.projectId },
      {
        handler: "subroute",
        routes: [
          {
            match: [{ path: DATABASE_MANAGER_PATHS }],
            handle: [
              {
                handler: "static_response",
                status_code: 403,
                headers: { "Content-Type": ["text/plain; charset=utf-8"] },
                body: DATABASE_MANAGER_REFUSAL,
              },
            ],
          },
          { match: [{ path: ["/websocket", "/websocket/*", "/longpolling/*"] }], handle: [proxy(route.websocketUpstream)] },
          { handle: [proxy(route.upstream)] },
        ],
      },
    ],
    terminal: true,
  };
}

/** A build route that proxies nowhere: 502 with UNAVAILABLE_PAGE (its project and hostnames kept). */
function unavailableRouteBody(route: { id: string; projectId: string; hosts: string[] }): Record<string, unknown> {
  return staticPageRoute(route, { status: 502, retryAfter: 10, html: UNAVAILABLE_PAGE });
}

/** A route that answers its hostnames with a fixed HTML page (and names its project, for the hostname rule). */
function staticPageRoute(
  route: { id: string; projectId: string; hosts: string[] },
  page: { status: number; retryAfter?: number; html: string },
): Record<string, unknown> {
  const headers: Record<string, string[]> = { "Content-Type": ["text/html; charset=utf-8"], "Cache-Control": ["no-store"] };
  if (page.retryAfter !== undefined) headers["Retry-After"] = [String(page.retryAfter)];
  return {
    "@id": route.id,
    match: [{ host: route.hosts }],
    handle: [
      { handler: "vars", [PROJECT_VAR]: route.projectId },
      { handler: "static_response", status_code: page.status, headers, body: page.html },
    ],
    terminal: true,
  };
}

/** Route JSON as compared for "unchanged" (Caddy may echo numbers and keys in its own way). */
function normalized(route: unknown): unknown {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return sort(route);
}

/**
 * Where a build route sends its traffic: the dial addresses of its HTTP and websocket proxies, or
 * null when it proxies nowhere (the 502 "not running" answer, or anything unexpected).
 */
export function routeUpstreams(route: Record<string, unknown>): Pick<BuildRoute, "upstream" | "websocketUpstream"> | null {
  const handlers = Array.isArray(route.handle) ? (route.handle as Array<Record<string, unknown>>) : [];
  const sub = handlers.find((h) => h.handler === "subroute");
  const routes = sub && Array.isArray(sub.routes) ? (sub.routes as Array<Record<string, unknown>>) : [];
  const dials = routes.map((r) => {
    const proxy = (Array.isArray(r.handle) ? (r.handle as Array<Record<string, unknown>>) : []).find((h) => h.handler === "reverse_proxy");
    const upstreams = proxy && Array.isArray(proxy.upstreams) ? (proxy.upstreams as Array<{ dial?: unknown }>) : [];
    return typeof upstreams[0]?.dial === "string" ? upstreams[0].dial : null;
  });
  const [websocket, http] = [dials[dials.length - 2], dials[dials.length - 1]];
  return http && websocket ? { upstream: http, websocketUpstream: websocket } : null;
}
