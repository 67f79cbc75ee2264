// The proxy's edge (issue 16, items 2 and 3): HTTPS with certificates obtained on demand over ACME,
// only for names the platform's ask endpoint answers yes to, plain HTTP redirected to HTTPS, and the
// control panel served at SLIPWAY_PUBLIC_URL's host through the same proxy (the web shell's
// websocket on `/terminal` of that origin). The worker applies it through Caddy's admin API at start
// and on every route-keeper round, so a restarted Caddy gets it back within a minute; every step
// compares first and writes only what differs.
import { loopbackFor, panelBehindProxy, type WorkerConfig } from "@slipway/config";
import { TERMINAL_PATH } from "@slipway/domain";
import { FRONT_PREFIX, type CaddyClient } from "./caddy";

export const HTTPS_REDIRECT_ID = `${FRONT_PREFIX}https-redirect`;
export const PANEL_ROUTE_ID = `${FRONT_PREFIX}panel`;

export interface EdgeSettings {
  /** Null: no HTTPS (the proxy serves plain HTTP only, as before). */
  tls: {
    /** The HTTP listener's port (SLIPWAY_PROXY_PORT): stays plain HTTP, everything else gets TLS. */
    httpPort: number;
    httpsPort: number;
    /** ACME directory URL. */
    ca: string;
    email?: string;
    /** PEM file trusted for the ACME server's own HTTPS (a private CA). */
    caRoot?: string;
    /** Caddy asks `<askUrl>?domain=<name>` before obtaining a certificate; only 200 allows it. */
    askUrl: string;
  } | null;
  /** Null: the panel is reached on the web app's own port (nothing routed). */
  panel: {
    host: string;
    /** host:port of the web app and of the worker's terminal gateway. */
    web: string;
    terminal: string;
  } | null;
}

/** What the worker's configuration asks of the proxy's edge. */
export function edgeSettings(config: WorkerConfig): EdgeSettings {
  const local = loopbackFor(config.web.host);
  return {
    tls:
      config.tls.mode === "acme"
        ? {
            httpPort: config.proxyPort,
            httpsPort: config.tls.port,
            ca: config.acme.ca,
            ...(config.acme.email ? { email: config.acme.email } : {}),
            ...(config.acme.caRoot ? { caRoot: config.acme.caRoot } : {}),
            askUrl: config.acme.askUrl,
          }
        : null,
    panel: panelBehindProxy(config)
      ? { host: new URL(config.web.publicUrl).hostname, web: `${local}:${config.web.port}`, terminal: `${local}:${config.terminalPort}` }
      : null,
  };
}

/**
 * Caddy's tls app: one automation policy for every name, on demand (a certificate is obtained at the
 * first handshake for a name), issued by the ACME CA, allowed only when the ask endpoint says yes.
 */
export function tlsApp(tls: NonNullable<EdgeSettings["tls"]>): Record<string, unknown> {
  const issuer: Record<string, unknown> = { module: "acme", ca: tls.ca };
  if (tls.email) issuer.email = tls.email;
  if (tls.caRoot) issuer.trusted_roots_pem_files = [tls.caRoot];
  return { automation: { policies: [{ issuers: [issuer], on_demand: true }], on_demand: { ask: tls.askUrl } } };
}

/**
 * Plain-HTTP requests answer 308 to the same URL over HTTPS. ACME HTTP-01 challenges never reach
 * routes (Caddy answers them before its handlers), so they keep working.
 */
export function httpsRedirectRoute(httpsPort: number): Record<string, unknown> {
  const port = httpsPort === 443 ? "" : `:${httpsPort}`;
  return {
    "@id": HTTPS_REDIRECT_ID,
    match: [{ protocol: "http" }],
    handle: [
      {
        handler: "static_response",
        status_code: 308,
        headers: { Location: [`https://{http.request.host}${port}{http.request.uri}`], "Cache-Control": ["no-store"] },
      },
    ],
    terminal: true,
  };
}

/**
 * The control panel's host: `/terminal` (the web shell's websocket) to the worker's terminal
 * gateway, everything else to the web app. Server-Sent Events are unbuffered without asking:
 * Caddy flushes text/event-stream (and bodies of unknown length) at once. No `flush_interval: -1`
 * on the route: with it, Caddy 2.6 cuts every response still being proxied when its configuration
 * reloads — and the worker writes routes whenever a build starts or goes, so panel requests
 * (server actions, streamed pages) failed half-way.
 */
export function panelRoute(panel: NonNullable<EdgeSettings["panel"]>): Record<string, unknown> {
  return {
    "@id": PANEL_ROUTE_ID,
    match: [{ host: [panel.host] }],
    handle: [
      {
        handler: "subroute",
        routes: [
          { match: [{ path: [TERMINAL_PATH] }], handle: [{ handler: "reverse_proxy", upstreams: [{ dial: panel.terminal }] }] },
          { handle: [{ handler: "reverse_proxy", upstreams: [{ dial: panel.web }] }] },
        ],
      },
    ],
    terminal: true,
  };
}

/** `host:port` → [host, port] (host may be empty: all interfaces). */
function splitListen(address: string): [string, number] | null {
  const m = /^(?:tcp\/)?(.*):(\d+)$/.exec(address);
  return m ? [m[1]!, Number(m[2])] : null;
}

/**
 * Applies `settings` to Caddy (idempotent; writes only what differs) and returns what changed. With
 * TLS: the tls app, the HTTP app's ports, the server's HTTPS listener (on the HTTP listener's
 * address) and its TLS connection policy, and the redirect route. Without (TLS switched off
 * again): those are taken back — the listener on the HTTPS port (Caddy's `https_port`, the one
 * applied while TLS was on), the connection policy and Slipway's tls app with its on-demand
 * policy — so the proxy serves plain HTTP only, as before. The panel route follows `settings.panel`.
 */
export async function applyEdge(caddy: CaddyClient, settings: EdgeSettings): Promise<string[]> {
  const changed: string[] = [];
  const server = `apps/http/servers/${caddy.serverName}`;
  const listen = ((await caddy.getConfig(`${server}/listen`)) as string[] | null) ?? [];
  const tls = settings.tls;
  if (tls) {
    if (await caddy.setConfig("apps/tls", tlsApp(tls))) changed.push("tls app");
    if (await caddy.setConfig("apps/http/http_port", tls.httpPort)) changed.push("http_port");
    if (await caddy.setConfig("apps/http/https_port", tls.httpsPort)) changed.push("https_port");
    const httpListener = listen.map(splitListen).find((l) => l?.[1] === tls.httpPort);
    const host = httpListener ? httpListener[0] : (splitListen(listen[0] ?? "")?.[0] ?? "");
    const httpsAddress = `${host}:${tls.httpsPort}`;
    if (!listen.includes(httpsAddress)) {
      await caddy.setConfig(`${server}/listen`, [...listen, httpsAddress]);
      changed.push(`listen ${httpsAddress}`);
    }
    if (await caddy.setConfig(`${server}/tls_connection_policies`, [{}])) changed.push("tls connection policy");
  } else {
    const httpsPort = (await caddy.getConfig("apps/http/https_port")) as number | null;
    const httpPort = (await caddy.getConfig("apps/http/http_port")) as number | null;
    const httpsListeners = listen.filter((l) => {
      const port = splitListen(l)?.[1];
      return port !== undefined && port === httpsPort && port !== httpPort;
    });
    if (httpsListeners.length > 0 && httpsListeners.length < listen.length) {
      await caddy.setConfig(
        `${server}/listen`,
        listen.filter((l) => !httpsListeners.includes(l)),
      );
      changed.push(`listen ${httpsListeners.join(", ")} removed`);
    }
    if (await caddy.deleteConfig(`${server}/tls_connection_policies`)) changed.push("tls connection policy removed");
    if (await caddy.deleteConfig("apps/tls")) changed.push("tls app removed");
  }
  const front = [...(tls ? [httpsRedirectRoute(tls.httpsPort)] : []), ...(settings.panel ? [panelRoute(settings.panel)] : [])];
  if (await caddy.setFrontRoutes(front)) changed.push("front routes");
  return changed;
}
