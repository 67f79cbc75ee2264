import { BlockList, isIP } from "node:net";
import { SESSION_ABSOLUTE_MS } from "./session-policy";

export const SESSION_COOKIE = "slipway_session";

/**
 * Cookie attributes: httpOnly (no script access), SameSite=Lax (not sent on cross-site POSTs),
 * Secure when the panel is served over https. The cookie lives as long as the session's absolute
 * lifetime; the database decides earlier expiry (idle timeout, logout).
 */
export function sessionCookieOptions(options: { publicUrl: string }) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: new URL(options.publicUrl).protocol === "https:",
    path: "/",
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  };
}

/**
 * A cookie's value in a Cookie header, percent-decoded. A value that is not valid percent-encoding
 * (`%E0%A4%A`, a lone `%`) is no value at all: the request is anonymous, never a 500 (issue 12, L1).
 */
export function cookieFrom(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The connection's own address (the TCP peer), written on every incoming request by
 * installPeerAddressHeader (server/peer-address.ts) over whatever a client sent under that name.
 */
export const PEER_ADDRESS_HEADER = "x-slipway-peer-address";

/** "::ffff:192.0.2.1" (an IPv4 client of a dual-stack socket) is 192.0.2.1. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address.trim());
  return (mapped ? mapped[1]! : address.trim()).toLowerCase();
}

/** A matcher of the configured trusted proxies (addresses or CIDR blocks; see SLIPWAY_TRUSTED_PROXIES). */
export function trustedProxyMatcher(trusted: readonly string[]): (address: string) => boolean {
  if (trusted.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of trusted) {
    const [address, prefix] = entry.split("/");
    const type = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(normalizeAddress(address!), type);
    else list.addSubnet(normalizeAddress(address!), Number(prefix), type);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The client address for throttling and per-address caps (issue 12, M2): the connection's peer
 * address. Only when that peer is a configured trusted proxy is X-Forwarded-For believed, read from
 * the right (each proxy appends the address it saw) and skipping trusted proxies: the first
 * untrusted entry is the client. Entries further left are whatever the client claimed. Without a
 * known peer (a handler called outside the server) the address is "unknown", never a header's word.
 */
export function clientIp(headers: { get(name: string): string | null }, trustedProxies: readonly string[] = []): string {
  const peer = headers.get(PEER_ADDRESS_HEADER)?.trim();
  if (!peer || isIP(normalizeAddress(peer)) === 0) return "unknown";
  const trusted = trustedProxyMatcher(trustedProxies);
  let client = normalizeAddress(peer);
  if (!trusted(client)) return client;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  while (hops.length > 0) {
    const hop = normalizeAddress(hops.pop()!);
    if (isIP(hop) === 0) return client; // garbage in the chain: stop at the last address we can vouch for
    client = hop;
    if (!trusted(hop)) return hop;
  }
  return client;
}
