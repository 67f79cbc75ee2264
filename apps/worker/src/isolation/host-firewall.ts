// The host's side of build isolation (ADR 0005): a container on a build bridge (`slw…`: project,
// tools and egress networks) may answer connections the host opened (the proxy, health checks) and
// may reach the worker's mail catcher, and nothing else on the host — not the control panel, the
// control-plane PostgreSQL, Redis, Caddy's admin API or any service bound to 0.0.0.0. Traffic
// between bridges and to the outside is Docker's (internal networks, isolation chains).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BUILD_BRIDGE_PREFIX } from "./project-network";

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
  for (const port of options.allowTcpPorts ?? []) await ensureRule(FIREWALL_ALLOW_CHAIN, ["-p", "tcp", "--dport", String(port), "-j", "ACCEPT"]);
  // Order inside the chain: replies, the allowed ports, then a refusal (REJECT: probes fail fast).
  await ensureRule(FIREWALL_CHAIN, ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"], 1);
  await ensureRule(FIREWALL_CHAIN, ["-j", FIREWALL_ALLOW_CHAIN], 2);
  await ensureRule(FIREWALL_CHAIN, ["-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]);
  await ensureRule(FIREWALL_CHAIN, ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"]);
  await ensureRule("INPUT", ["-i", `${BUILD_BRIDGE_PREFIX}+`, "-j", FIREWALL_CHAIN], 1);
}
