/**
 * The address users reach a build at through the platform's proxy (the port is omitted when it is
 * the scheme's default). The panel links to it, and it is the build's `web.base.url` inside Odoo.
 * With `tlsPort` (the proxy serves HTTPS, issue 16) it is an https:// address on that port.
 */
export function buildUrl({ hostname, proxyPort, tlsPort }: { hostname: string; proxyPort: number; tlsPort?: number }): string {
  if (tlsPort !== undefined) return tlsPort === 443 ? `https://${hostname}` : `https://${hostname}:${tlsPort}`;
  return proxyPort === 80 ? `http://${hostname}` : `http://${hostname}:${proxyPort}`;
}
