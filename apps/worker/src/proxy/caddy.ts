import { DomainError } from "@slipway/domain";

/**
 * Drives Caddy through its admin API (loopback only). Every build gets one route, identified by
 * an `@id`, matching its hostname(s): `/websocket` (Odoo ≥ 16) and `/longpolling` go to the gevent
 * port, everything else to the HTTP port. Build routes are inserted before the final catch-all 404.
 */
export interface CaddyOptions {
  adminUrl: string;
  server?: string;
}

export interface BuildRoute {
  id: string;
  hosts: string[];
  /** host:port of Odoo's HTTP port (8069). */
  upstream: string;
  /** host:port of Odoo's gevent port (8072). */
  websocketUpstream: string;
}

export const ROUTE_PREFIX = "slipway-route-";
const CATCH_ALL_ID = "slipway-not-found";
export const MAINTENANCE_PREFIX = "slipway-maintenance-";
export const MAINTENANCE_PAGE =
  "<!doctype html><html><head><meta charset=\"utf-8\"><title>Maintenance in progress</title></head>" +
  "<body style=\"font-family:sans-serif;text-align:center;margin-top:20vh\"><h1>Maintenance in progress</h1>" +
  "<p>This database is being updated. Please come back in a few minutes.</p></body></html>\n";

export class CaddyClient {
  private readonly base: string;
  private readonly server: string;

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
    const routes = await this.routes();
    if (routes.some((r) => r["@id"] === CATCH_ALL_ID)) return;
    const res = await this.call("POST", this.routesPath, {
      "@id": CATCH_ALL_ID,
      handle: [{ handler: "static_response", status_code: 404, body: "No Slipway build answers at this address.\n" }],
    });
    await this.expectOk(res, "add the catch-all route");
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

  /** Registers (or replaces) a build route; idempotent. */
  async upsertRoute(route: BuildRoute): Promise<void> {
    if (!route.id.startsWith(ROUTE_PREFIX)) throw new DomainError("invalid_input", `Route ids start with ${ROUTE_PREFIX}`);
    await this.ensureCatchAll();
    await this.removeRoute(route.id);
    const proxy = (dial: string) => ({ handler: "reverse_proxy", upstreams: [{ dial }] });
    const body = {
      "@id": route.id,
      match: [{ host: route.hosts }],
      handle: [
        {
          handler: "subroute",
          routes: [
            { match: [{ path: ["/websocket", "/websocket/*", "/longpolling/*"] }], handle: [proxy(route.websocketUpstream)] },
            { handle: [proxy(route.upstream)] },
          ],
        },
      ],
      terminal: true,
    };
    // Index 0 inserts before everything, in particular before the catch-all.
    const res = await this.call("PUT", `${this.routesPath}/0`, body);
    await this.expectOk(res, `register ${route.hosts.join(", ")}`);
  }

  /**
   * Puts a static 503 "Maintenance in progress" answer in front of every other route for `hosts`
   * (a safe production update). Its id has its own prefix, so build-route housekeeping (reconcile)
   * never mistakes it for a build route; remove it with removeRoute(id) once a real route is back.
   */
  async upsertMaintenanceRoute(route: { id: string; hosts: string[] }): Promise<void> {
    if (!route.id.startsWith(MAINTENANCE_PREFIX)) throw new DomainError("invalid_input", `Maintenance route ids start with ${MAINTENANCE_PREFIX}`);
    await this.ensureCatchAll();
    await this.removeRoute(route.id);
    const body = {
      "@id": route.id,
      match: [{ host: route.hosts }],
      handle: [
        {
          handler: "static_response",
          status_code: 503,
          headers: { "Content-Type": ["text/html; charset=utf-8"], "Retry-After": ["30"], "Cache-Control": ["no-store"] },
          body: MAINTENANCE_PAGE,
        },
      ],
      terminal: true,
    };
    const res = await this.call("PUT", `${this.routesPath}/0`, body);
    await this.expectOk(res, `show the maintenance page for ${route.hosts.join(", ")}`);
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

export function maintenanceRouteId(buildId: string): string {
  return `${MAINTENANCE_PREFIX}${buildId}`;
}

export function routeIdForBuild(buildId: string): string {
  return `${ROUTE_PREFIX}${buildId}`;
}

/**
 * Upstreams of an Odoo server: with prefork workers, `/websocket` is served by the gevent process
 * on 8072; in threaded mode (`--workers 0`, development builds) it is served on 8069 like the rest.
 */
export function odooUpstreams(ip: string, workers: number): Pick<BuildRoute, "upstream" | "websocketUpstream"> {
  return { upstream: `${ip}:8069`, websocketUpstream: `${ip}:${workers > 0 ? 8072 : 8069}` };
}
