import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import {
  hostnameMayHaveCertificate,
  insertProject,
  listBranchDomains,
  listRoutedBuilds,
  primaryDomainOfBuildBranch,
  verifiedDomainsOfBuildBranch,
  type Db,
} from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { customDomainState } from "@slipway/domain";
import { createQueues, type Queues } from "@slipway/queue";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { routeHosts, routeIdForBuild } from "../proxy/caddy";
import { startTestDnsServer, type TestDnsServer } from "../testing/dns-server";
import { checkAllDomains, checkDomain, DOMAIN_CHECK_SCHEDULER_ID, lookupCname, scheduleDomainChecks } from "./check-domain";

// Custom-domain checks on the real stack: a DNS server on loopback whose records the test
// changes, PostgreSQL, Redis (queues under a prefix of their own) and the shared Caddy (a route of
// a build row without a server: the 502 page, which carries the same hostnames as a live route).
let db: TemporaryDatabase;
let dns: TestDnsServer;
let deps: WorkerDeps;
let prisma: Db;
let queues: Queues;
let defaultQueues: Queues;
let branchId: string;
let buildId: string;
let domainId: string;
const slug = `dom${randomBytes(3).toString("hex")}`;
const base = "slipway.localhost";
const hostname = `www.${slug}.test`;
const target = `${slug}.${base}`;

const row = async () => (await listBranchDomains(prisma, { branchId }))[0]!;
const routeOf = async () => (await deps.caddy.routes()).find((r) => r["@id"] === routeIdForBuild(buildId));

beforeAll(async () => {
  dns = await startTestDnsServer();
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url, SLIPWAY_DNS_SERVERS: dns.server, SLIPWAY_TLS: "off" });
  const made = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  queues = createQueues({ connection: made.redis, prefix: `slipway-test-domains-${randomBytes(4).toString("hex")}` });
  defaultQueues = made.queues;
  deps = { ...made, queues };
  prisma = deps.prisma;
  const user = await prisma.user.create({ data: { login: "ada" } });
  const project = await insertProject(prisma, {
    slug,
    name: "Domains",
    repoUrl: "/nonexistent",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: base,
    webhookSecretEnc: encryptSecret("s", config.encryptionKey),
    creatorId: user.id,
  });
  branchId = (await prisma.branch.create({ data: { projectId: project.id, name: "main", stage: "production", productionSlot: true } })).id;
  buildId = (
    await prisma.build.create({
      data: {
        projectId: project.id,
        branchId,
        number: 1,
        stage: "production",
        revision: "a".repeat(40),
        state: "running",
        hostname: target,
        inProgressSlot: null,
      },
    })
  ).id;
  domainId = (await prisma.domain.create({ data: { projectId: project.id, branchId, hostname, primary: true } })).id;
});

afterAll(async () => {
  await deps?.caddy.removeRoute(routeIdForBuild(buildId)).catch(() => undefined);
  await queues
    ?.get("control")
    .obliterate({ force: true })
    .catch(() => undefined);
  await queues?.close().catch(() => undefined);
  await defaultQueues?.close().catch(() => undefined);
  await deps?.redis.quit().catch(() => undefined);
  await prisma?.$disconnect();
  await db?.drop();
  await dns?.close();
});

describe("custom domain checks", () => {
  it("a missing CNAME leaves the domain pending, with the resolver's answer", async () => {
    const report = await checkDomain(deps, { domainId });
    expect(report?.verdict.result).toBe("missing");
    expect(dns.questions().some((q) => q.name === hostname)).toBe(true);
    const r = await row();
    expect(r.verifiedAt).toBeNull();
    expect(r.lastAnswer).toBe("no such name (NXDOMAIN)");
    expect(r.lastError).toContain(target);
    expect(customDomainState(r)).toBe("pending");
    expect(await hostnameMayHaveCertificate(prisma, hostname)).toBe(false);
  });

  it("a CNAME elsewhere is an error naming what it points at", async () => {
    dns.setCname(hostname, "elsewhere.example.org");
    await checkDomain(deps, { domainId });
    const r = await row();
    expect(customDomainState(r)).toBe("error");
    expect(r.lastAnswer).toBe("CNAME elsewhere.example.org");
    expect(r.lastError).toMatch(/points at elsewhere\.example\.org, not at/);
  });

  it("a CNAME to <project>.<base> verifies it and routes it to the branch's running build", async () => {
    dns.setCname(hostname, `${target.toUpperCase()}.`);
    const report = await checkDomain(deps, { domainId });
    expect(report).toMatchObject({ verified: true, changed: true });
    const r = await row();
    expect(customDomainState(r)).toBe("verified");
    expect(r.verifiedAt).not.toBeNull();
    expect(await hostnameMayHaveCertificate(prisma, hostname)).toBe(true);
    expect((await listRoutedBuilds(prisma, { buildIds: [buildId] }))[0]?.domains).toEqual([hostname]);
    const route = await routeOf();
    expect(route && routeHosts(route)).toEqual([target, hostname]);
    // The production branch's main domain is its address (web.base.url) and goes on its maintenance page.
    expect(await primaryDomainOfBuildBranch(prisma, { buildId })).toBe(hostname);
    expect(await verifiedDomainsOfBuildBranch(prisma, { buildId })).toEqual([hostname]);
    // A second check changes nothing and keeps the first verification time.
    const again = await checkDomain(deps, { domainId });
    expect(again?.changed).toBe(false);
    expect((await row()).verifiedAt?.getTime()).toBe(r.verifiedAt?.getTime());
  });

  it("a resolver failure keeps the verification; a removed record takes it and the route back", async () => {
    const dead = await lookupCname({ hostname, servers: ["127.0.0.1:9"], timeoutMs: 300 });
    expect(dead.kind).toBe("failed");
    dns.remove(hostname);
    const report = await checkDomain(deps, { domainId });
    expect(report).toMatchObject({ verified: false, changed: true });
    expect(customDomainState(await row())).toBe("pending");
    const route = await routeOf();
    expect(route && routeHosts(route)).toEqual([target]);
    expect(await hostnameMayHaveCertificate(prisma, hostname)).toBe(false);
    expect(await primaryDomainOfBuildBranch(prisma, { buildId })).toBeNull();
  });

  it("the periodic round queues a check of every domain and is scheduled", async () => {
    expect(await checkAllDomains(deps)).toBe(1);
    const jobs = await queues.get("control").getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs.map((j) => [j.name, j.data])).toContainEqual(["domain.check", { domainId }]);
    await scheduleDomainChecks(deps, 60);
    expect((await queues.get("control").getJobSchedulers()).map((s) => s.key)).toContain(DOMAIN_CHECK_SCHEDULER_ID);
    await scheduleDomainChecks(deps, 0);
    expect((await queues.get("control").getJobSchedulers()).map((s) => s.key)).not.toContain(DOMAIN_CHECK_SCHEDULER_ID);
  });
});
