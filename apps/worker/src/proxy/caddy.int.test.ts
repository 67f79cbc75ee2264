import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@slipway/domain";
import { CaddyClient, maintenanceRouteId, routeIdForBuild } from "./caddy";

const adminUrl = process.env.SLIPWAY_CADDY_ADMIN_URL ?? "http://127.0.0.1:20190";
const proxyPort = Number(process.env.SLIPWAY_PROXY_PORT ?? 8480);
const caddy = new CaddyClient({ adminUrl });

let httpServer: http.Server;
let wsServer: http.Server;
const id = routeIdForBuild(`test-${process.pid}`);
const otherId = routeIdForBuild(`test-${process.pid}-other`);
const nextId = routeIdForBuild(`test-${process.pid}-next`);
const otherMaintenance = maintenanceRouteId(`test-${process.pid}-other`);
const host = `caddytest-${process.pid}.slipway.localhost`;
const projectA = "aaaaaaaa-0000-4000-8000-000000000001";
const projectB = "bbbbbbbb-0000-4000-8000-000000000002";

const listen = (label: string) =>
  new Promise<http.Server>((resolve) => {
    const s = http.createServer((req, res) => res.end(`${label} ${req.url} ${req.headers["x-forwarded-proto"] ?? ""}`));
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
const port = (s: http.Server) => (s.address() as AddressInfo).port;

function get(path: string, hostHeader: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ host: "127.0.0.1", port: proxyPort, path, method, headers: { host: hostHeader }, agent: false }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject)
      .end();
  });
}

beforeAll(async () => {
  httpServer = await listen("http");
  wsServer = await listen("gevent");
});

afterAll(async () => {
  for (const r of [id, otherId, nextId, otherMaintenance]) await caddy.removeRoute(r);
  httpServer.close();
  wsServer.close();
});

describe("Caddy routes through the real admin API", () => {
  it("routes a build hostname, /websocket to the gevent port, and forgets it on removal", async () => {
    await caddy.upsertRoute({
      id,
      projectId: projectA,
      hosts: [host],
      upstream: `127.0.0.1:${port(httpServer)}`,
      websocketUpstream: `127.0.0.1:${port(wsServer)}`,
    });
    await caddy.upsertRoute({
      id,
      projectId: projectA,
      hosts: [host],
      upstream: `127.0.0.1:${port(httpServer)}`,
      websocketUpstream: `127.0.0.1:${port(wsServer)}`,
    });
    expect((await caddy.routeIds()).filter((r) => r === id)).toHaveLength(1);
    expect(await get("/web/login", host)).toEqual({ status: 200, body: "http /web/login http" });
    expect((await get("/websocket", host)).body).toBe("gevent /websocket http");
    expect((await get("/web/login", `other-${host}`)).status).toBe(404);
    await caddy.removeRoute(id);
    await caddy.removeRoute(id);
    expect(await caddy.routeIds()).not.toContain(id);
    expect((await get("/web/login", host)).status).toBe(404);
  });

  it("answers 403 for Odoo's database manager on a build hostname, whatever the spelling, and proxies the rest", async () => {
    await caddy.upsertRoute({
      id,
      projectId: projectA,
      hosts: [host],
      upstream: `127.0.0.1:${port(httpServer)}`,
      websocketUpstream: `127.0.0.1:${port(wsServer)}`,
    });
    const refused = [
      ["GET", "/web/database/manager"],
      ["GET", "/web/database/selector"],
      ["POST", "/web/database/list"],
      ["POST", "/web/database/backup"],
      ["POST", "/web/database/drop"],
      ["GET", "/web/database"],
      ["GET", "/WEB/Database/Manager"],
      ["GET", "/web//database/manager"],
      ["GET", "/web/%64atabase/manager"],
      ["GET", "/web/x/../database/manager"],
      ["POST", "/xmlrpc/2/db"],
      ["POST", "/xmlrpc/2/db/"],
      ["POST", "/xmlrpc/2//db"],
      ["POST", "/xmlrpc/db"],
    ] as const;
    for (const [method, path] of refused) {
      const res = await get(path, host, method);
      expect({ path, ...res }).toEqual({ path, status: 403, body: "Odoo's database manager is disabled on Slipway builds.\n" });
    }
    // Control: the same route proxies everything else, including the other RPC services.
    expect(await get("/xmlrpc/2/common", host, "POST")).toEqual({ status: 200, body: "http /xmlrpc/2/common http" });
    expect(await get("/jsonrpc", host, "POST")).toEqual({ status: 200, body: "http /jsonrpc http" });
    expect(await get("/web/database_manager_lookalike", host)).toEqual({ status: 200, body: "http /web/database_manager_lookalike http" });
  });

  it("refuses to route a hostname another project's build holds; the same project's next build takes it over", async () => {
    const up = { upstream: `127.0.0.1:${port(httpServer)}`, websocketUpstream: `127.0.0.1:${port(wsServer)}` };
    await caddy.upsertRoute({ id, projectId: projectA, hosts: [host], ...up });
    const takeover = caddy.upsertRoute({
      id: otherId,
      projectId: projectB,
      hosts: [host.toUpperCase()],
      upstream: `127.0.0.1:${port(wsServer)}`,
      websocketUpstream: `127.0.0.1:${port(wsServer)}`,
    });
    await expect(takeover).rejects.toBeInstanceOf(DomainError);
    await expect(takeover).rejects.toMatchObject({ code: "conflict" });
    await expect(caddy.upsertMaintenanceRoute({ id: otherMaintenance, projectId: projectB, hosts: [host] })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await caddy.routeIds()).not.toContain(otherId);
    expect(await get("/web/login", host)).toEqual({ status: 200, body: "http /web/login http" });
    // The same project's next build: allowed, and it answers (inserted first).
    await caddy.upsertRoute({
      id: nextId,
      projectId: projectA,
      hosts: [host],
      upstream: `127.0.0.1:${port(wsServer)}`,
      websocketUpstream: `127.0.0.1:${port(wsServer)}`,
    });
    expect((await get("/web/login", host)).body).toBe("gevent /web/login http");
    // Once project A lets the hostname go, project B may have it.
    await caddy.removeRoute(id);
    await caddy.removeRoute(nextId);
    await caddy.upsertRoute({ id: otherId, projectId: projectB, hosts: [host], ...up });
    expect(await get("/web/login", host)).toEqual({ status: 200, body: "http /web/login http" });
    await caddy.removeRoute(otherId);
  });
});
