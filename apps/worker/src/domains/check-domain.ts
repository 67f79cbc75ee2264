// Custom-domain verification (issue 16): a domain is verified when its CNAME points at its
// project's target `<project>.<base domain>`; the state is re-checked every
// SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS, when it is added and on "Check now".
import { connect, type PeerCertificate } from "node:tls";
import { promises as dns } from "node:dns";
import { listDomainsToCheck, recordDomainCertificate, recordDomainCheck, runningBuildIdsOfBranch, type DomainToCheck } from "@slipway/db";
import { customDomainTarget, judgeCname, verifiedAfterCheck, type CnameLookup, type CnameVerdict } from "@slipway/domain";
import { enqueue, jobOptionsFor } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { refreshRoutes } from "../proxy/route-keeper";

export const DOMAIN_CHECK_SCHEDULER_ID = "domain.check-every";
const MISSING_CODES: ReadonlySet<string> = new Set([dns.NODATA, dns.NOTFOUND]);

/**
 * One CNAME look-up of `hostname` with Node's resolver, asking `servers` (empty: the system's
 * resolvers). The answer is the record itself (no recursion into the target's addresses).
 */
export async function lookupCname(options: { hostname: string; servers: readonly string[]; timeoutMs?: number }): Promise<CnameLookup> {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 3_000, tries: 2 });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  try {
    return { kind: "cname", targets: await resolver.resolveCname(options.hostname) };
  } catch (e) {
    const code = String((e as NodeJS.ErrnoException).code ?? "EUNKNOWN");
    if (MISSING_CODES.has(code)) return { kind: "missing", code };
    return { kind: "failed", code, message: (e as Error).message };
  }
}

/**
 * The certificate the proxy serves for `hostname` (SNI) on its HTTPS port: its expiry when it
 * names the host, null otherwise (no TLS, Caddy's refusal, a certificate for another name). With
 * on-demand TLS the first handshake for a verified domain is also what makes Caddy obtain it.
 */
export async function servedCertificateExpiry(options: {
  hostname: string;
  port: number;
  host?: string;
  timeoutMs?: number;
}): Promise<Date | null> {
  return new Promise((resolve) => {
    const socket = connect({
      host: options.host ?? "127.0.0.1",
      port: options.port,
      servername: options.hostname,
      // Only the certificate's names and dates are read here; trust is the browser's business.
      rejectUnauthorized: false,
    });
    const done = (value: Date | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(options.timeoutMs ?? 60_000, () => done(null));
    socket.once("error", () => done(null));
    socket.once("secureConnect", () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      const names = (cert.subjectaltname ?? "")
        .split(/,\s*/)
        .filter((n) => n.startsWith("DNS:"))
        .map((n) => n.slice(4).toLowerCase());
      const expiry = cert.valid_to ? new Date(cert.valid_to) : null;
      done(names.includes(options.hostname.toLowerCase()) && expiry && !Number.isNaN(expiry.getTime()) ? expiry : null);
    });
  });
}

export interface DomainCheckReport {
  hostname: string;
  verdict: CnameVerdict;
  verified: boolean;
  /** The verification changed (routes refreshed). */
  changed: boolean;
  certificateExpiresAt: Date | null;
}

async function checkOne(deps: WorkerDeps, domain: DomainToCheck): Promise<DomainCheckReport | null> {
  const target = customDomainTarget({ projectSlug: domain.projectSlug, baseDomain: domain.baseDomain });
  const lookup = await lookupCname({ hostname: domain.hostname, servers: deps.config.domains.dnsServers });
  const verdict = judgeCname(lookup, target);
  const verified = verifiedAfterCheck(verdict.result, domain.verified);
  const outcome = await recordDomainCheck(deps.prisma, {
    domainId: domain.id,
    checkedAt: new Date(),
    result: verdict.result,
    answer: verdict.answer,
    error: verdict.error,
    verified,
  });
  if (!outcome) return null;
  if (outcome.changed) {
    deps.logger.info({ domain: domain.hostname, verified, answer: verdict.answer }, "custom domain verification changed");
    const buildIds = await runningBuildIdsOfBranch(deps.prisma, { branchId: domain.branchId });
    if (buildIds.length > 0) await refreshRoutes(deps, { buildIds });
  }
  let certificateExpiresAt: Date | null = null;
  if (verified && deps.config.tls.mode === "acme") {
    certificateExpiresAt = await servedCertificateExpiry({ hostname: domain.hostname, port: deps.config.tls.port });
    await recordDomainCertificate(deps.prisma, { domainId: domain.id, expiresAt: certificateExpiresAt });
  }
  return { hostname: domain.hostname, verdict, verified, changed: outcome.changed, certificateExpiresAt };
}

/** The `domain.check` job: one domain (nothing when it was removed meanwhile). */
export async function checkDomain(deps: WorkerDeps, { domainId }: { domainId: string }): Promise<DomainCheckReport | null> {
  const [domain] = await listDomainsToCheck(deps.prisma, { domainId });
  return domain ? checkOne(deps, domain) : null;
}

/** The `domain.check-all` job: a `domain.check` of every live domain (the least recently checked first). */
export async function checkAllDomains(deps: WorkerDeps): Promise<number> {
  const domains = await listDomainsToCheck(deps.prisma);
  for (const d of domains) await enqueue(deps.queues, "domain.check", { domainId: d.id });
  return domains.length;
}

/** Keeps the periodic round scheduled every `intervalSeconds` (0: removed). */
export async function scheduleDomainChecks(deps: Pick<WorkerDeps, "queues">, intervalSeconds: number): Promise<void> {
  const queue = deps.queues.get("control");
  if (intervalSeconds <= 0) {
    await queue.removeJobScheduler(DOMAIN_CHECK_SCHEDULER_ID);
    return;
  }
  const { attempts, removeOnComplete, removeOnFail } = jobOptionsFor("domain.check-all", {});
  await queue.upsertJobScheduler(
    DOMAIN_CHECK_SCHEDULER_ID,
    { every: intervalSeconds * 1000 },
    { name: "domain.check-all", data: {}, opts: { attempts, removeOnComplete, removeOnFail } },
  );
}
