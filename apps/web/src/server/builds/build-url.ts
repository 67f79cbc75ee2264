/** The URL a build answers on through the platform's proxy (the port is omitted when it is 80). */
export function buildUrl({ hostname, proxyPort }: { hostname: string; proxyPort: number }): string {
  return proxyPort === 80 ? `http://${hostname}` : `http://${hostname}:${proxyPort}`;
}
