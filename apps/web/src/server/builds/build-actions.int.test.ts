import { randomBytes } from "node:crypto";
import { createPrismaClient, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { connectSecretFor, verifyConnectToken } from "@slipway/config";
import { createQueues, enqueue, type Queues } from "@slipway/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess, type ProjectAccess } from "../access";
import { cancelBuild } from "./cancel-build";
import { connectBuild } from "./connect-build";
import { rebuildRevision, requestBranchBuild } from "./rebuild-branch";

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
/** The proxy of a platform without TLS (the default): builds are reached over plain HTTP on 8480. */
const plainProxy = { proxyPort: 8480, tls: { mode: "off" as const, port: 8443 } };
if (!adminUrl || !redisUrl) throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

describe("Rebuild, Cancel and Connect (real PostgreSQL and Redis queues)", () => {
  const key = randomBytes(32);
  const prefix = `slipway-test-actions-${randomBytes(4).toString("hex")}`;
  let db: TemporaryDatabase;
  let prisma: Db;
  let redis: Redis;
  let queues: Queues;
  let admin: ProjectAccess;
  let developer: ProjectAccess;
  let tester: ProjectAccess;
  let userId: string;
  let devBranchId: string;
  let prodBranchId: string;
  const notices: string[] = [];
  const actionDeps = () => ({
    prisma,
    enqueueBuild: async (buildId: string) => void (await enqueue(queues, "build.run", { buildId })),
    enqueueCancel: async (buildId: string) => void (await enqueue(queues, "build.cancel", { buildId })),
    enqueueBranchBuild: async (job: { branchId: string; actorId: string; ip: string | null }) =>
      void (await enqueue(queues, "branch.build", job)),
    notify: async ({ buildId }: { buildId: string }) => void notices.push(buildId),
  });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    queues = createQueues({ connection: redis, prefix });
    const owner = await prisma.user.create({ data: { login: "owner" } });
    const dev = await prisma.user.create({ data: { login: "dev" } });
    const qa = await prisma.user.create({ data: { login: "qa" } });
    userId = owner.id;
    const project = await insertProject(prisma, {
      slug: "shop",
      name: "Shop",
      repoUrl: "/srv/git/shop.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: owner.id,
    });
    await prisma.collaborator.create({ data: { projectId: project.id, userId: dev.id, role: "developer" } });
    await prisma.collaborator.create({ data: { projectId: project.id, userId: qa.id, role: "tester" } });
    devBranchId = (await prisma.branch.create({ data: { projectId: project.id, name: "feature", headRevision: "c".repeat(40) } })).id;
    prodBranchId = (
      await prisma.branch.create({
        data: { projectId: project.id, name: "main", stage: "production", productionSlot: true, headRevision: "d".repeat(40) },
      })
    ).id;
    admin = await loadProjectAccess({ prisma, user: { id: owner.id, isSuperuser: false }, slug: "shop" });
    developer = await loadProjectAccess({ prisma, user: { id: dev.id, isSuperuser: false }, slug: "shop" });
    tester = await loadProjectAccess({ prisma, user: { id: qa.id, isSuperuser: false }, slug: "shop" });
  });
  afterAll(async () => {
    for (const name of ["builds", "control"] as const)
      await queues
        ?.get(name)
        .obliterate({ force: true })
        .catch(() => undefined);
    await queues?.close();
    redis?.disconnect();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("Rebuild asks the worker for the branch head; Rebuild this revision queues that commit; both refused while one is in progress", async () => {
    const requested = await requestBranchBuild(actionDeps(), { access: developer, branchId: devBranchId, actorId: userId, ip: "10.0.0.1" });
    expect(requested).toEqual({ branch: "feature" });
    // The web never runs git: the worker's branch.build job reads the head and queues the build.
    expect((await queues.get("control").getJobs(["waiting", "prioritized", "delayed"])).map((j) => [j.name, j.data])).toContainEqual([
      "branch.build",
      { branchId: devBranchId, actorId: userId, ip: "10.0.0.1" },
    ]);
    expect(await prisma.build.count({ where: { branchId: devBranchId } })).toBe(0);

    await expect(
      rebuildRevision(actionDeps(), { access: developer, branchId: devBranchId, revision: "e".repeat(40), actorId: userId }),
    ).rejects.toMatchObject({ code: "not_found" });
    const first = await rebuildRevision(actionDeps(), {
      access: developer,
      branchId: devBranchId,
      revision: "c".repeat(40),
      actorId: userId,
    });
    const build = await prisma.build.findUniqueOrThrow({ where: { id: first.buildId } });
    expect(build).toMatchObject({ revision: "c".repeat(40), state: "queued", stage: "development", inProgressSlot: true });
    expect((await queues.get("builds").getJobs(["waiting", "prioritized", "delayed"])).map((j) => j.data)).toContainEqual({
      buildId: first.buildId,
    });
    expect(notices).toContain(first.buildId);
    await expect(
      rebuildRevision(actionDeps(), { access: admin, branchId: devBranchId, revision: "c".repeat(40), actorId: userId }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already in progress") });
    await expect(requestBranchBuild(actionDeps(), { access: admin, branchId: devBranchId, actorId: userId })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await prisma.build.count({ where: { branchId: devBranchId } })).toBe(1);
  });

  it("lets only admins rebuild production", async () => {
    await expect(requestBranchBuild(actionDeps(), { access: developer, branchId: prodBranchId, actorId: userId })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(
      rebuildRevision(actionDeps(), { access: developer, branchId: prodBranchId, revision: "d".repeat(40), actorId: userId }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(await prisma.build.count({ where: { branchId: prodBranchId } })).toBe(0);
    await expect(
      rebuildRevision(actionDeps(), { access: admin, branchId: prodBranchId, revision: "d".repeat(40), actorId: userId }),
    ).resolves.toMatchObject({ number: expect.any(Number) });
  });

  it("cancels a build in progress (request recorded, job queued) and refuses to cancel a finished one", async () => {
    const build = await prisma.build.findFirstOrThrow({ where: { branchId: devBranchId } });
    await cancelBuild(actionDeps(), { access: developer, buildId: build.id, actorId: userId });
    expect((await prisma.build.findUniqueOrThrow({ where: { id: build.id } })).cancelRequestedAt).toBeInstanceOf(Date);
    expect((await queues.get("control").getJobs(["waiting", "prioritized", "delayed"])).map((j) => [j.name, j.data])).toContainEqual([
      "build.cancel",
      { buildId: build.id },
    ]);
    await prisma.build.update({ where: { id: build.id }, data: { state: "cancelled", inProgressSlot: null } });
    await expect(cancelBuild(actionDeps(), { access: developer, buildId: build.id, actorId: userId })).rejects.toMatchObject({
      code: "invalid_state",
    });
  });

  it("signs a single-use login for a running build only, to be posted (never in a URL), with a token the build can verify", async () => {
    const build = await prisma.build.findFirstOrThrow({ where: { branchId: devBranchId } });
    const deps = { prisma, encryptionKey: key, proxy: plainProxy, now: () => Date.UTC(2026, 0, 1) };
    await expect(connectBuild(deps, { access: developer, buildId: build.id, login: "admin" })).rejects.toMatchObject({
      code: "invalid_state",
    });
    await prisma.build.update({
      where: { id: build.id },
      data: { state: "running", hostname: "shop-feature-1.slipway.localhost", databaseName: "shop-feature-1" },
    });
    const target = await connectBuild(deps, { access: developer, buildId: build.id, login: "demo" });
    if (target.kind !== "signed") throw new Error(`expected a signed login, got ${JSON.stringify(target)}`);
    expect(target.url).toBe("http://shop-feature-1.slipway.localhost:8480/slipway/connect");
    expect(target.url).not.toContain(target.token);
    const claims = verifyConnectToken(connectSecretFor(key, build.id), target.token, { db: "shop-feature-1", now: Date.UTC(2026, 0, 1) });
    expect(claims).toMatchObject({ db: "shop-feature-1", login: "demo", exp: Date.UTC(2026, 0, 1) / 1000 + 60 });
    // Each connect has its own nonce, recorded with the audit entry (the build's addon redeems it once).
    const again = await connectBuild(deps, { access: developer, buildId: build.id, login: "demo" });
    const nonces = (await prisma.auditEntry.findMany({ where: { action: "build.connect" }, orderBy: { createdAt: "asc" } })).map(
      (e) => (e.details as { nonce?: string }).nonce,
    );
    expect(nonces).toEqual([
      claims.nonce,
      verifyConnectToken(connectSecretFor(key, build.id), (again as { token: string }).token, {
        db: "shop-feature-1",
        now: Date.UTC(2026, 0, 1),
      }).nonce,
    ]);
    expect(new Set(nonces).size).toBe(2);
    expect((await prisma.build.findUniqueOrThrow({ where: { id: build.id } })).lastUsedAt).toEqual(new Date(Date.UTC(2026, 0, 1)));
    await expect(connectBuild(deps, { access: developer, buildId: build.id, login: "bad login" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(
      connectBuild(deps, { access: developer, buildId: "00000000-0000-4000-8000-000000000000", login: "admin" }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("opens production's login page for developers and testers, a signed login only for admins (seed Collaborators)", async () => {
    const deps = { prisma, encryptionKey: key, proxy: plainProxy };
    const prod = await prisma.build.findFirstOrThrow({ where: { branchId: prodBranchId } });
    await prisma.build.update({
      where: { id: prod.id },
      data: { state: "running", inProgressSlot: null, hostname: "shop.slipway.localhost", databaseName: "shop" },
    });
    for (const access of [developer, tester]) {
      expect(await connectBuild(deps, { access, buildId: prod.id, login: "admin" })).toEqual({
        kind: "login",
        url: "http://shop.slipway.localhost:8480/web/login",
      });
    }
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "build.connect", target: `build #${prod.number}` } });
    expect(entry.details).toEqual({ stage: "production", loginPage: true });
    expect(await connectBuild(deps, { access: admin, buildId: prod.id, login: "admin" })).toMatchObject({
      kind: "signed",
      login: "admin",
      url: "http://shop.slipway.localhost:8480/slipway/connect",
    });
    // With TLS on (SLIPWAY_TLS=acme), Connect sends the browser to the build over HTTPS, on the TLS port.
    const tlsDeps = { prisma, encryptionKey: key, proxy: { proxyPort: 80, tls: { mode: "acme" as const, port: 443 } } };
    expect(await connectBuild(tlsDeps, { access: developer, buildId: prod.id, login: "admin" })).toEqual({
      kind: "login",
      url: "https://shop.slipway.localhost/web/login",
    });
    expect(await connectBuild(tlsDeps, { access: admin, buildId: prod.id, login: "admin" })).toMatchObject({
      kind: "signed",
      url: "https://shop.slipway.localhost/slipway/connect",
    });
  });
});
