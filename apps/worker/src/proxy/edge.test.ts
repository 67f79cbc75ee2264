import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadWorkerConfig } from "@slipway/config";
import { edgeSettings, httpsRedirectRoute, panelRoute, tlsApp } from "./edge";

const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

describe("edgeSettings (what the worker asks of the proxy's edge)", () => {
  it("asks nothing by default: no TLS, the panel on the web app's own port", () => {
    expect(edgeSettings(loadWorkerConfig(valid))).toEqual({ tls: null, panel: null });
  });

  it("with SLIPWAY_TLS=acme and an HTTPS public URL: Let's Encrypt, the ask route on loopback, the panel routed", () => {
    const config = loadWorkerConfig({
      ...valid,
      SLIPWAY_TLS: "acme",
      SLIPWAY_PROXY_PORT: "80",
      SLIPWAY_PROXY_TLS_PORT: "443",
      SLIPWAY_ACME_EMAIL: "ops@example.com",
      SLIPWAY_PUBLIC_URL: "https://slipway.example.com",
      SLIPWAY_WEB_HOST: "0.0.0.0",
    });
    expect(edgeSettings(config)).toEqual({
      tls: {
        httpPort: 80,
        httpsPort: 443,
        ca: "https://acme-v02.api.letsencrypt.org/directory",
        email: "ops@example.com",
        askUrl: "http://127.0.0.1:3000/api/internal/tls-ask",
      },
      panel: { host: "slipway.example.com", web: "127.0.0.1:3000", terminal: "127.0.0.1:3001" },
    });
  });

  it("routes the panel through the proxy whenever the public URL is not the web app's own port", () => {
    const panel = (url: string) => edgeSettings(loadWorkerConfig({ ...valid, SLIPWAY_PUBLIC_URL: url })).panel;
    expect(panel("http://127.0.0.1:3000")).toBeNull();
    expect(panel("http://slipway.localhost:8480")).toEqual({
      host: "slipway.localhost",
      web: "127.0.0.1:3000",
      terminal: "127.0.0.1:3001",
    });
  });

  it("refuses an unknown TLS mode and a relative CA root", () => {
    const error = (() => {
      try {
        loadWorkerConfig({ ...valid, SLIPWAY_TLS: "on", SLIPWAY_ACME_CA_ROOT: "pebble.pem" });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/SLIPWAY_TLS/);
    expect(error.message).toMatch(/SLIPWAY_ACME_CA_ROOT/);
  });
});

describe("edge routes and the tls app", () => {
  it("redirects to the HTTPS port, left out of the URL when it is 443", () => {
    const location = (port: number) =>
      (httpsRedirectRoute(port).handle as Array<{ headers: { Location: string[] } }>)[0]!.headers.Location[0];
    expect(location(443)).toBe("https://{http.request.host}{http.request.uri}");
    expect(location(8443)).toBe("https://{http.request.host}:8443{http.request.uri}");
  });

  it("issues on demand only, through the ask endpoint, trusting the CA root given", () => {
    expect(
      tlsApp({ httpPort: 80, httpsPort: 443, ca: "https://ca.test/dir", caRoot: "/etc/ca.pem", askUrl: "http://127.0.0.1:3000/ask" }),
    ).toEqual({
      automation: {
        policies: [{ issuers: [{ module: "acme", ca: "https://ca.test/dir", trusted_roots_pem_files: ["/etc/ca.pem"] }], on_demand: true }],
        on_demand: { ask: "http://127.0.0.1:3000/ask" },
      },
    });
  });

  it("sends the panel's /terminal to the gateway and everything else to the web app (no flush_interval: reloads would cut responses)", () => {
    const route = panelRoute({ host: "p.test", web: "127.0.0.1:3000", terminal: "127.0.0.1:3001" });
    expect(JSON.stringify(route)).toContain('"path":["/terminal"]');
    expect(JSON.stringify(route)).not.toContain("flush_interval");
  });
});
