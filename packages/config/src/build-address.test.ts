import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildAddress } from "./build-address";
import { loadWebConfig, loadWorkerConfig } from "./load-config";

const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  SLIPWAY_SESSION_SECRET: "x".repeat(32),
};

describe("buildAddress", () => {
  it("is plain HTTP on the proxy's port while TLS is off (the default)", () => {
    expect(buildAddress(loadWebConfig(valid), "acme.slipway.localhost")).toBe("http://acme.slipway.localhost:8480");
    expect(buildAddress(loadWebConfig({ ...valid, SLIPWAY_PROXY_PORT: "80" }), "acme.example.com")).toBe("http://acme.example.com");
  });

  it("follows SLIPWAY_TLS: https:// on the TLS port, for the web app and the worker alike", () => {
    const dev = { ...valid, SLIPWAY_TLS: "acme" };
    expect(buildAddress(loadWebConfig(dev), "acme.slipway.localhost")).toBe("https://acme.slipway.localhost:8443");
    expect(buildAddress(loadWorkerConfig(dev), "acme.slipway.localhost")).toBe("https://acme.slipway.localhost:8443");
    const production = { ...valid, SLIPWAY_TLS: "acme", SLIPWAY_PROXY_PORT: "80", SLIPWAY_PROXY_TLS_PORT: "443" };
    expect(buildAddress(loadWebConfig(production), "www.shop.example")).toBe("https://www.shop.example");
  });

  it("goes back to http:// when TLS is switched off again", () => {
    const off = { ...valid, SLIPWAY_TLS: "off", SLIPWAY_PROXY_TLS_PORT: "443" };
    expect(buildAddress(loadWebConfig(off), "acme.slipway.localhost")).toBe("http://acme.slipway.localhost:8480");
  });
});
