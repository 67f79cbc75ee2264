import { parseIPv6 } from "@slipway/git";

/**
 * The client a visitor's shell is counted against: the socket's remote address (never a header a
 * client could forge), IPv4-mapped IPv6 as the IPv4 address, other IPv6 addresses by their /64 (one
 * host usually has the whole /64).
 */
export function clientKey(address: string | null | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const v6 = parseIPv6(address);
  if (v6)
    return `${v6
      .slice(0, 4)
      .map((h) => h.toString(16))
      .join(":")}::/64`;
  return address;
}

export interface AnonymousShellLimits {
  /** Concurrent visitor shells per client (clientKey). */
  perAddress: number;
  /** Concurrent visitor shells per build. */
  perBuild: number;
}

export type ShellSlot = { ok: true; release(): void } | { ok: false; reason: string };

/**
 * Counts the open shells of anonymous visitors (public projects' development builds) per client and
 * per build, in this gateway process. A slot is reserved before the session starts and released
 * once when it ends, whatever the ending.
 */
export class AnonymousShellLimiter {
  private readonly byClient = new Map<string, number>();
  private readonly byBuild = new Map<string, number>();

  constructor(private readonly limits: AnonymousShellLimits) {}

  acquire(options: { address: string | null | undefined; buildId: string }): ShellSlot {
    const client = clientKey(options.address);
    const fromClient = this.byClient.get(client) ?? 0;
    const onBuild = this.byBuild.get(options.buildId) ?? 0;
    if (fromClient >= this.limits.perAddress) {
      return { ok: false, reason: `Too many visitor shells from your address (${this.limits.perAddress} open): close one or sign in.` };
    }
    if (onBuild >= this.limits.perBuild) {
      return { ok: false, reason: `Too many visitor shells on this build (${this.limits.perBuild} open): try again later or sign in.` };
    }
    this.byClient.set(client, fromClient + 1);
    this.byBuild.set(options.buildId, onBuild + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.decrement(this.byClient, client);
        this.decrement(this.byBuild, options.buildId);
      },
    };
  }

  /** Open visitor shells (tests, stats). */
  open(): { clients: number; total: number } {
    let total = 0;
    for (const n of this.byBuild.values()) total += n;
    return { clients: this.byClient.size, total };
  }

  private decrement(map: Map<string, number>, key: string): void {
    const n = (map.get(key) ?? 0) - 1;
    if (n > 0) map.set(key, n);
    else map.delete(key);
  }
}
