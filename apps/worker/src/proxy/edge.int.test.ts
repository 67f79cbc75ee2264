// HTTPS at the proxy against real components (issue 16, items 2 and 3): Debian's pebble as the ACME
// CA and a Caddy of the test's own, configured by applyEdge through its admin API exactly as the
// worker does. The ask endpoint is a small HTTP server here (the web app's route is tested by its
// own tests): what is checked is that Caddy asks it, and obtains nothing when it says no.
import { X509Certificate } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startPebble, type Pebble } from "../testing/pebble";
import { startPrivateCaddy, type PrivateCaddy } from "../testing/private-caddy";
import { CaddyClient, maintenanceRouteId, routeIdForBuild } from "./caddy";
import { applyEdge, HTTPS_REDIRECT_ID, PANEL_ROUTE_ID, type EdgeSettings } from "./edge";

const buildHost = "main-42.acme-test.slipway.test";
const panelHost = "panel.acme-test.slipway.test";
const refusedHost = "nobody.acme-test.slipway.test";
const allowed = new Set([buildHost, panelHost]);
const asked: string[] = [];
const projectId = "cccccccc-0000-4000-8000-000000000003";

let pebble: Pebble;
let proxy: PrivateCaddy;
let caddy: CaddyClient;
let settings: EdgeSettings;
/** SHA-256 fingerprint of the build hostname's first certificate. */
let issued = "";
const servers: http.Server[] = [];

const port = (s: http.Server) => (s.address() as AddressInfo).port;
const listen = (handler: http.RequestListener) =>
  new Promise<http.Server>((resolve) => {
    const s = http.createServer(handler);
    servers.push(s);
    s.listen(0, "127.0.0.1", () => resolve(s));
  });

/** A websocket endpoint on `server` that echoes with `label` in front. */
function echoWebsocket(server: http.Server, label: string): void {
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => ws.on("message", (m) => ws.send(`${label} ${req.url} ${m.toString()}`)));
}

function request(
  scheme: "http" | "https",
  host: string,
  path: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: tls.TLSSocket | null }> {
  return new Promise((resolve, reject) => {
    const options = {
      host: "127.0.0.1",
      port: scheme === "https" ? proxy.httpsPort : proxy.httpPort,
      path,
      headers: { host },
      agent: false,
      ...(scheme === "https" ? { servername: host, ca: pebble.rootPem } : {}),
    };
    const req = (scheme === "https" ? https : http).request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          socket: scheme === "https" ? (res.socket as tls.TLSSocket) : null,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** A TLS handshake with `servername`, trusting only pebble's root: the certificate chain, or the error. */
function handshake(servername: string): Promise<{ chain: X509Certificate[] } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: proxy.httpsPort, servername, ca: pebble.rootPem, timeout: 30_000 });
    socket.once("secureConnect", () => {
      const chain: X509Certificate[] = [];
      let cert = socket.getPeerX509Certificate();
      while (cert && !chain.some((c) => c.fingerprint256 === cert!.fingerprint256)) {
        chain.push(cert);
        cert = cert.issuerCertificate;
      }
      const authorized = socket.authorized;
      socket.end();
      resolve(authorized ? { chain } : { error: String(socket.authorizationError) });
    });
    socket.once("error", (e) => resolve({ error: e.message }));
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ error: "timeout" });
    });
  });
}

function websocketRoundTrip(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // ws hands TLS options (servername, ca) to https.request; its types do not list them.
    const ws = new WebSocket(url, { servername: host, ca: pebble.rootPem, headers: { host } } as WebSocket.ClientOptions);
    ws.once("open", () => ws.send("ping"));
    ws.once("message", (m) => {
      resolve(m.toString());
      ws.close();
    });
    ws.once("error", reject);
  });
}

beforeAll(async () => {
  [pebble, proxy] = await Promise.all([startPebble(), startPrivateCaddy()]);
  caddy = new CaddyClient({ adminUrl: proxy.adminUrl });
  const ask = await listen((req, res) => {
    const domain = new URL(req.url ?? "/", "http://ask.invalid").searchParams.get("domain") ?? "";
    asked.push(domain);
    res.writeHead(allowed.has(domain) ? 200 : 404).end();
  });
  const odoo = await listen((req, res) => res.end(`odoo ${req.url} ${req.headers["x-forwarded-proto"]}`));
  const gevent = await listen((_req, res) => res.end("gevent"));
  echoWebsocket(gevent, "gevent");
  const web = await listen((req, res) => {
    if (req.url === "/events") {
      // One event now, the end much later: an unbuffered proxy hands the first over at once.
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("data: first\n\n");
      setTimeout(() => res.end("data: last\n\n"), 5_000).unref();
      return;
    }
    if (req.url === "/slow") {
      // A page the web app renders slowly (a server action, a streamed page): chunked, done after 1.5 s.
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<p>start</p>");
      setTimeout(() => res.end("<p>end</p>"), 1_500).unref();
      return;
    }
    res.end(`panel ${req.url} ${req.headers.host} ${req.headers["x-forwarded-proto"]}`);
  });
  const terminal = await listen((_req, res) => res.writeHead(426).end());
  echoWebsocket(terminal, "terminal");
  settings = {
    tls: {
      httpPort: proxy.httpPort,
      httpsPort: proxy.httpsPort,
      ca: pebble.directoryUrl,
      email: "ops@slipway.test",
      caRoot: pebble.apiCaFile,
      askUrl: `http://127.0.0.1:${port(ask)}/ask`,
    },
    panel: { host: panelHost, web: `127.0.0.1:${port(web)}`, terminal: `127.0.0.1:${port(terminal)}` },
  };
  await caddy.upsertRoute({
    id: routeIdForBuild("tls-build"),
    projectId,
    hosts: [buildHost],
    upstream: `127.0.0.1:${port(odoo)}`,
    websocketUpstream: `127.0.0.1:${port(gevent)}`,
  });
}, 120_000);

afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await proxy?.stop();
  await pebble?.stop();
});

describe("HTTPS at the proxy with certificates from a real ACME server (pebble)", () => {
  it("applies the edge once (idempotent), keeping the build routes behind the front routes", async () => {
    const changes = await applyEdge(caddy, settings);
    expect(changes).toEqual(expect.arrayContaining(["tls app", "tls connection policy", "front routes"]));
    expect(await applyEdge(caddy, settings)).toEqual([]);
    const ids = (await caddy.routes()).map((r) => r["@id"]);
    expect(ids.slice(0, 3)).toEqual([HTTPS_REDIRECT_ID, PANEL_ROUTE_ID, routeIdForBuild("tls-build")]);
  });

  it("serves a build hostname with a certificate pebble issued on demand, after asking the platform", async () => {
    const result = await handshake(buildHost);
    if ("error" in result) throw new Error(`handshake failed: ${result.error}\n${proxy.log().slice(-3000)}`);
    const [leaf] = result.chain;
    expect(leaf!.subjectAltName).toContain(`DNS:${buildHost}`);
    issued = leaf!.fingerprint256;
    // The chain verifies against pebble's root only (socket.authorized above); the leaf is signed by its intermediate.
    expect(leaf!.checkIssued(new X509Certificate(pebble.intermediatePem))).toBe(true);
    expect(new X509Certificate(pebble.intermediatePem).checkIssued(new X509Certificate(pebble.rootPem))).toBe(true);
    expect(asked).toContain(buildHost);
    const res = await request("https", buildHost, "/web/login?db=x");
    expect(res).toMatchObject({ status: 200, body: "odoo /web/login?db=x https" });
  });

  it("redirects plain HTTP to HTTPS, path and query kept", async () => {
    const res = await request("http", buildHost, "/web?debug=1");
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://${buildHost}:${proxy.httpsPort}/web?debug=1`);
  });

  it("carries Odoo's /websocket over TLS to the gevent port", async () => {
    expect(await websocketRoundTrip(`wss://127.0.0.1:${proxy.httpsPort}/websocket`, buildHost)).toBe("gevent /websocket ping");
  });

  it("gets no certificate for a name the ask endpoint refuses: the handshake fails", async () => {
    const result = await handshake(refusedHost);
    expect(result).toHaveProperty("error");
    expect(asked).toContain(refusedHost);
    // Asked again at the next handshake, still no: nothing was stored for it.
    expect(await handshake(refusedHost)).toHaveProperty("error");
  });

  it("keeps the maintenance page in front of the build over HTTPS during a production update", async () => {
    const id = maintenanceRouteId("tls-build");
    await caddy.upsertMaintenanceRoute({ id, projectId, hosts: [buildHost] });
    const ids = (await caddy.routes()).map((r) => r["@id"]);
    expect(ids.slice(0, 3)).toEqual([HTTPS_REDIRECT_ID, PANEL_ROUTE_ID, id]);
    const res = await request("https", buildHost, "/web");
    expect(res.status).toBe(503);
    expect(res.body).toContain("Maintenance in progress");
    expect((await request("http", buildHost, "/web")).status).toBe(308);
    await caddy.removeRoute(id);
    expect((await request("https", buildHost, "/web")).body).toBe("odoo /web https");
  });

  it("serves the panel on its own host over HTTPS: the web app, the terminal websocket, SSE unbuffered", async () => {
    const res = await request("https", panelHost, "/projects");
    expect(res).toMatchObject({ status: 200, body: `panel /projects ${panelHost} https` });
    expect(await websocketRoundTrip(`wss://127.0.0.1:${proxy.httpsPort}/terminal?ticket=t`, panelHost)).toBe(
      "terminal /terminal?ticket=t ping",
    );
    const first = await new Promise<{ chunk: string; ms: number }>((resolve, reject) => {
      const t0 = Date.now();
      https
        .get(
          {
            host: "127.0.0.1",
            port: proxy.httpsPort,
            path: "/events",
            servername: panelHost,
            ca: pebble.rootPem,
            headers: { host: panelHost },
            agent: false,
          },
          (r) => {
            r.setEncoding("utf8");
            r.once("data", (chunk: string) => {
              resolve({ chunk, ms: Date.now() - t0 });
              r.destroy();
            });
          },
        )
        .on("error", reject);
    });
    expect(first.chunk).toContain("data: first");
    expect(first.ms).toBeLessThan(4_000);
  });

  it("lets a panel request in flight finish while the worker changes Caddy's routes (a config reload)", async () => {
    const slow = request("https", panelHost, "/slow");
    await new Promise((r) => setTimeout(r, 300));
    // What the worker does whenever a build starts or goes: a route written, Caddy reloads its config.
    await caddy.upsertRoute({
      id: routeIdForBuild("reload-probe"),
      projectId,
      hosts: ["reload.acme-test.slipway.test"],
      upstream: "127.0.0.1:9",
      websocketUpstream: "127.0.0.1:9",
    });
    await caddy.removeRoute(routeIdForBuild("reload-probe"));
    expect(await slow).toMatchObject({ status: 200, body: "<p>start</p><p>end</p>" });
  });

  it("puts everything back after a Caddy restart, and serves the certificate it stored", async () => {
    await proxy.restart();
    expect((await caddy.routes()).map((r) => r["@id"])).toEqual([]);
    expect(await applyEdge(caddy, settings)).toEqual(expect.arrayContaining(["tls app", "front routes"]));
    const result = await handshake(buildHost);
    if ("error" in result) throw new Error(`handshake failed: ${result.error}`);
    expect(result.chain[0]!.fingerprint256).toBe(issued);
    expect((await request("http", panelHost, "/")).status).toBe(308);
    expect((await request("https", panelHost, "/")).body).toBe(`panel / ${panelHost} https`);
  });

  it("takes HTTPS back when TLS is switched off again: no HTTPS listener, no TLS policy, plain HTTP served", async () => {
    // Control, TLS still on: the HTTPS port answers with pebble's certificate.
    expect(await handshake(buildHost)).toHaveProperty("chain");
    const changes = await applyEdge(caddy, { ...settings, tls: null });
    expect(changes).toEqual(
      expect.arrayContaining([
        `listen 127.0.0.1:${proxy.httpsPort} removed`,
        "tls connection policy removed",
        "tls app removed",
        "front routes",
      ]),
    );
    expect(await applyEdge(caddy, { ...settings, tls: null })).toEqual([]);
    const server = `apps/http/servers/${caddy.serverName}`;
    expect(await caddy.getConfig(`${server}/listen`)).toEqual([`127.0.0.1:${proxy.httpPort}`]);
    expect(await caddy.getConfig(`${server}/tls_connection_policies`)).toBeNull();
    expect(await caddy.getConfig("apps/tls")).toBeNull();
    // Probe: nothing listens on the HTTPS port any more (not even plain HTTP).
    expect((await handshake(buildHost)) as { error: string }).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED/) });
    const plainOnHttpsPort = await new Promise<string>((resolve) =>
      http
        .get({ host: "127.0.0.1", port: proxy.httpsPort, path: "/web", headers: { host: buildHost }, agent: false }, (res) => {
          res.resume();
          resolve(`answered ${res.statusCode}`);
        })
        .on("error", (e) => resolve(e.message)),
    );
    expect(plainOnHttpsPort).toMatch(/ECONNREFUSED/);
    // Control: plain HTTP is served again, not redirected (the panel's route; the build's went with the restart above).
    expect(await request("http", panelHost, "/")).toMatchObject({ status: 200, body: `panel / ${panelHost} http` });
    // And on again: the stored certificate is served at once.
    await applyEdge(caddy, settings);
    const again = await handshake(buildHost);
    if ("error" in again) throw new Error(`handshake failed: ${again.error}`);
    expect(again.chain[0]!.fingerprint256).toBe(issued);
  });
});
