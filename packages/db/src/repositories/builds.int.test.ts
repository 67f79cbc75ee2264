import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import {
  advanceBuild,
  archiveBranch,
  cancelQueuedBuild,
  finishBuild,
  insertProject,
  markBuildStarted,
  queueBuild,
  recordBranchHead,
  stopBuild,
} from "../index";

let db: TemporaryDatabase;
let prisma: PrismaClient;
let projectId: string;

const sha = (c: string) => c.repeat(40);

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  const user = await prisma.user.create({ data: { login: "ada" } });
  const project = await insertProject(prisma, {
    slug: "acme",
    name: "Acme",
    repoUrl: "/srv/git/acme.git",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: "x",
    creatorId: user.id,
  });
  projectId = project.id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("branches and builds repositories", () => {
  it("makes the creator admin and refuses a second project with the same slug", async () => {
    const collab = await prisma.collaborator.findFirstOrThrow({ where: { projectId } });
    expect(collab.role).toBe("admin");
    const user = await prisma.user.findFirstOrThrow();
    await expect(
      insertProject(prisma, {
        slug: "acme",
        name: "Again",
        repoUrl: "/x",
        repoKind: "generic",
        odooVersion: "17.0",
        odooImage: "odoo:17.0",
        baseDomain: "b",
        webhookSecretEnc: "x",
        creatorId: user.id,
      }),
    ).rejects.toThrow(/already exists/);
  });

  it("numbers builds per project and keeps one build in progress per branch, even under concurrency", async () => {
    const { branch, created } = await prisma.$transaction((tx) =>
      recordBranchHead(tx, { projectId, name: "feature/a", revision: sha("a") }),
    );
    expect(created).toBe(true);
    expect(branch.stage).toBe("development");
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => queueBuild(prisma, { projectId, branchId: branch.id, revision: sha(String(i)) })),
    );
    const made = results.filter((b) => b !== null);
    expect(made).toHaveLength(1);
    expect(made[0]!.number).toBe(1);
    // Finishing the build frees the slot; the next one gets the next number.
    await prisma.build.update({ where: { id: made[0]!.id }, data: { state: "running", inProgressSlot: null } });
    const next = await queueBuild(prisma, { projectId, branchId: branch.id, revision: sha("b") });
    expect(next?.number).toBe(2);
    // The constraint itself, not only the repository, refuses a second in-progress build.
    await expect(
      prisma.build.create({
        data: { projectId, branchId: branch.id, number: 99, stage: "development", revision: sha("c"), inProgressSlot: true },
      }),
    ).rejects.toThrow();
  });

  it("archives a deleted branch and brings it back on a new push", async () => {
    await prisma.$transaction((tx) => recordBranchHead(tx, { projectId, name: "gone", revision: sha("d") }));
    const archived = await prisma.$transaction((tx) => archiveBranch(tx, { projectId, name: "gone" }));
    expect(archived?.archivedAt).not.toBeNull();
    const back = await prisma.$transaction((tx) => recordBranchHead(tx, { projectId, name: "gone", revision: sha("e") }));
    expect(back.created).toBe(false);
    expect(back.branch.archivedAt).toBeNull();
    expect(back.branch.headRevision).toBe(sha("e"));
  });

  it("writes only the lifecycle's transitions: a late writer changes nothing", async () => {
    const { branch } = await prisma.$transaction((tx) => recordBranchHead(tx, { projectId, name: "feature/life", revision: sha("1") }));
    const build = (await queueBuild(prisma, { projectId, branchId: branch.id, revision: sha("1") }))!;
    const state = async () => (await prisma.build.findUniqueOrThrow({ where: { id: build.id } })).state;
    expect(await stopBuild(prisma, build.id)).toBe(false);
    await markBuildStarted(prisma, build.id);
    expect(await cancelQueuedBuild(prisma, build.id)).toBe(false);
    expect(await advanceBuild(prisma, build.id, "queued")).toBe(false);
    expect(await advanceBuild(prisma, build.id, "fetching")).toBe(true);
    expect(await advanceBuild(prisma, build.id, "running")).toBe(false);
    expect(await finishBuild(prisma, build.id, { state: "running", result: "green" })).toBe(true);
    const row = await prisma.build.findUniqueOrThrow({ where: { id: build.id } });
    expect(row).toMatchObject({ state: "running", result: "green", inProgressSlot: null });
    expect(await finishBuild(prisma, build.id, { state: "failed", result: "red" })).toBe(false);
    expect(await advanceBuild(prisma, build.id, "fetching")).toBe(false);
    expect(await stopBuild(prisma, build.id)).toBe(true);
    expect(await stopBuild(prisma, build.id)).toBe(false);
    expect(await state()).toBe("stopped");

    const queued = (await queueBuild(prisma, { projectId, branchId: branch.id, revision: sha("2") }))!;
    expect(await cancelQueuedBuild(prisma, queued.id)).toBe(true);
    expect(await prisma.build.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ state: "cancelled", inProgressSlot: null });
  });
});
