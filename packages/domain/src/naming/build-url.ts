/**
 * The address users reach a build at through the platform's proxy (the port is omitted when it is
 * 80). The panel links to it, and it is the build's `web.base.url` inside Odoo.
 */
export function buildUrl({ hostname, proxyPort }: { hostname: string; proxyPort: number }): string {
  return proxyPort === 80 ? `http://${hostname}` : `http://${hostname}:${proxyPort}`;
}
