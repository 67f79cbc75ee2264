import { describe, expect, it } from "vitest";
import { buildUrl } from "./build-url";

describe("buildUrl", () => {
  it("is plain HTTP on the proxy's port, without the default port", () => {
    expect(buildUrl({ hostname: "acme.slipway.localhost", proxyPort: 8480 })).toBe("http://acme.slipway.localhost:8480");
    expect(buildUrl({ hostname: "acme.example.com", proxyPort: 80 })).toBe("http://acme.example.com");
  });

  it("is HTTPS on the TLS port when the proxy serves HTTPS", () => {
    expect(buildUrl({ hostname: "www.shop.test", proxyPort: 8480, tlsPort: 8443 })).toBe("https://www.shop.test:8443");
    expect(buildUrl({ hostname: "www.shop.test", proxyPort: 80, tlsPort: 443 })).toBe("https://www.shop.test");
  });
});
