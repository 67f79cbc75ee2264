import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaddyClient, routeIdForBuild } from "./caddy";

const adminUrl = process.env.SLIPWAY_CADDY_ADMIN_URL ?? "http://127.0.0.1:20190";
const proxyPort = Number(process.env.SLIPWAY_PROXY_PORT ?? 8480);
const caddy = new CaddyClient({ adminUrl });

let httpServer: http.Server;
let wsServer: http.Server;
const id = routeIdForBuild(`test-${process.pid}`);
const host = `caddytest-${process.pid}.slipway.localhost`;

const listen = (label: string) =>
  new Promise<http.Server>((resolve) => {
    const s = http.createServer((req, res) => res.end(`${label} ${req.url} ${req.headers["x-forwarded-proto"] ?? ""}`));
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
const port = (s: http.Server) => (s.address() as AddressInfo).port;

function get(path: string, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port: proxyPort, path, headers: { host: hostHeader } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  httpServer = await listen("http");
  wsServer = await listen("gevent");
});

afterAll(async () => {
  await caddy.removeRoute(id);
  httpServer.close();
  wsServer.close();
});

describe("Caddy routes through the real admin API", () => {
  it("routes a build hostname, /websocket to the gevent port, and forgets it on removal", async () => {
    await caddy.upsertRoute({ id, hosts: [host], upstream: `127.0.0.1:${port(httpServer)}`, websocketUpstream: `127.0.0.1:${port(wsServer)}` });
    await caddy.upsertRoute({ id, hosts: [host], upstream: `127.0.0.1:${port(httpServer)}`, websocketUpstream: `127.0.0.1:${port(wsServer)}` });
    expect((await caddy.routeIds()).filter((r) => r === id)).toHaveLength(1);
    expect(await get("/web/login", host)).toEqual({ status: 200, body: "http /web/login http" });
    expect((await get("/websocket", host)).body).toBe("gevent /websocket http");
    expect((await get("/web/login", `other-${host}`)).status).toBe(404);
    await caddy.removeRoute(id);
    await caddy.removeRoute(id);
    expect(await caddy.routeIds()).not.toContain(id);
    expect((await get("/web/login", host)).status).toBe(404);
  });
});
