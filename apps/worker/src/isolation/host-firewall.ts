// The host's side of build isolation (ADR 0005): a container on a build bridge (`slw…`: project,
// tools and egress networks) may answer connections the host opened (the proxy, health checks) and
// may reach the worker's mail catcher, and nothing else on the host — not the control panel, the
// control-plane PostgreSQL, Redis, Caddy's admin API or any service bound to 0.0.0.0. Traffic
// between bridges and to the outside is Docker's (internal networks, isolation chains).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { BUILD_BRIDGE_PREFIX, BUILD_EGRESS_NETWORK, EGRESS_NETWORK } from "./project-network";

/** Destinations never reachable from the requirements build network (RFC 1918, CGNAT, link-local, loopback). */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"] as const;

/** The host's resolvers (its /etc/resolv.conf): pip still needs names. */
export function hostResolvers(text?: string): string[] {
  let conf = text;
  if (conf === undefined) {
    try {
      conf = readFileSync("/etc/resolv.conf", "utf8");
    } catch {
      return [];
    }
  }
  return [...conf.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]!);
}

const run = promisify(execFile);
export const FIREWALL_CHAIN = "SLIPWAY-BUILDS";
export const FIREWALL_ALLOW_CHAIN = "SLIPWAY-BUILDS-ALLOW";

async function iptables(args: string[]): Promise<boolean> {
  try {
    await run("iptables", ["-w", "5", ...args]);
    return true;
  } catch {
    return false;
  }
}

async function ensureRule(chain: string, rule: string[], position?: number): Promise<void> {
  if (await iptables(["-C", chain, ...rule])) return;
  const added = position ? await iptables(["-I", chain, String(position), ...rule]) : await iptables(["-A", chain, ...rule]);
  if (!added) throw new Error(`iptables refused the rule ${chain} ${rule.join(" ")}`);
}

/** Closes a port `ensureHostFirewall` opened to builds (a catcher that stops); absent is fine. */
export async function closeHostFirewallPort(port: number): Promise<void> {
  const rule = ["-p", "tcp", "--dport", String(port), "-j", "ACCEPT"];
  while (await iptables(["-C", FIREWALL_ALLOW_CHAIN, ...rule])) {
    if (!(await iptables(["-D", FIREWALL_ALLOW_CHAIN, ...rule]))) return;
  }
}

/**
 * Installs (idempotently) the INPUT rules for build bridges; `allowTcpPorts` are host ports build
 * containers may open (the mail catcher). Needs root and iptables: throws with the reason otherwise.
 */
export async function ensureHostFirewall(options: { allowTcpPorts?: number[] } = {}): Promise<void> {
  for (const chain of [FIREWALL_CHAIN, FIREWALL_ALLOW_CHAIN]) {
    if (!(await iptables(["-L", chain, "-n"])) && !(await iptables(["-N", chain]))) {
      throw new Error(`cannot create the iptables chain ${chain} (is the worker root, is iptables installed?)`);
    }
  }
  for (const port of options.allowTcpPorts ?? [])
    await ensureRule(FIREWALL_ALLOW_CHAIN, ["-p", "tcp", "--dport", String(port), "-j", "ACCEPT"]);
  // Order inside the chain: replies, the allowed ports, then a refusal (REJECT: probes fail fast).
  await ensureRule(FIREWALL_CHAIN, ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"], 1);
  await ensureRule(FIREWALL_CHAIN, ["-j", FIREWALL_ALLOW_CHAIN], 2);
  await ensureRule(FIREWALL_CHAIN, ["-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]);
  await ensureRule(FIREWALL_CHAIN, ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"]);
  await ensureRule("INPUT", ["-i", `${BUILD_BRIDGE_PREFIX}+`, "-j", FIREWALL_CHAIN], 1);
  // Forwarded traffic (Docker's DOCKER-USER chain comes first): production servers never reach
  // link-local addresses (cloud metadata); requirements builds reach no private address either,
  // but the host's resolvers on port 53. Inserted at the top: refusals first, then the exceptions above them.
  if (!(await iptables(["-L", "DOCKER-USER", "-n"]))) return;
  await ensureRule("DOCKER-USER", ["-i", EGRESS_NETWORK.bridge, "-d", "169.254.0.0/16", "-j", "REJECT"], 1);
  for (const range of PRIVATE_RANGES) await ensureRule("DOCKER-USER", ["-i", BUILD_EGRESS_NETWORK.bridge, "-d", range, "-j", "REJECT"], 1);
  for (const resolver of hostResolvers()) {
    for (const proto of ["udp", "tcp"])
      await ensureRule("DOCKER-USER", ["-i", BUILD_EGRESS_NETWORK.bridge, "-d", resolver, "-p", proto, "--dport", "53", "-j", "RETURN"], 1);
  }
}
