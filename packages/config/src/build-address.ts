import { buildUrl } from "@slipway/domain";
import type { BaseConfig } from "./load-config";

/**
 * The address users reach a build (or a custom domain) at through the platform's proxy, with the
 * scheme the proxy serves: https:// on SLIPWAY_PROXY_TLS_PORT when SLIPWAY_TLS is on (plain HTTP is
 * only a redirect then), http:// on SLIPWAY_PROXY_PORT otherwise. The panel's Open and Connect
 * links and the build's `web.base.url` all come from here (issue 16).
 */
export function buildAddress(config: Pick<BaseConfig, "proxyPort" | "tls">, hostname: string): string {
  return buildUrl({
    hostname,
    proxyPort: config.proxyPort,
    ...(config.tls.mode === "acme" ? { tlsPort: config.tls.port } : {}),
  });
}
