import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import { findBranchCurrentBuild, findBranchPageBranch, insertProject } from "../index";

let db: TemporaryDatabase;
let prisma: PrismaClient;
let projectId: string;

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  const user = await prisma.user.create({ data: { login: "ada" } });
  projectId = (
    await insertProject(prisma, {
      slug: "acme",
      name: "Acme",
      repoUrl: "/srv/git/acme.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "x",
      creatorId: user.id,
    })
  ).id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const build = (branchId: string, number: number, stage: "development" | "staging", state: "running" | "queued" = "running") =>
  prisma.build.create({ data: { projectId, branchId, number, stage, revision: "a".repeat(40), state, inProgressSlot: null } });

describe("branch page read model", () => {
  it("finds a live branch by a name with a slash, with its settings, and not an archived one", async () => {
    await prisma.branch.create({ data: { projectId, name: "feature/a", testTags: "/shop" } });
    await prisma.branch.create({ data: { projectId, name: "gone", archivedAt: new Date() } });
    expect(await findBranchPageBranch(prisma, { projectId, name: "feature/a" })).toMatchObject({
      name: "feature/a",
      stage: "development",
      pushBehavior: "new_build",
      testsEnabled: true,
      testTags: "/shop",
    });
    expect(await findBranchPageBranch(prisma, { projectId, name: "gone" })).toBeNull();
    expect(await findBranchPageBranch(prisma, { projectId, name: "feature%2Fa" })).toBeNull();
  });

  it("gives the newest build on the branch's current stage, not a newer one of its former stage", async () => {
    const branch = await prisma.branch.create({ data: { projectId, name: "moved", stage: "staging" } });
    expect(await findBranchCurrentBuild(prisma, { branchId: branch.id, stage: "staging" })).toBeNull();
    await build(branch.id, 10, "staging");
    await build(branch.id, 11, "staging", "queued");
    await build(branch.id, 12, "development");
    expect(await findBranchCurrentBuild(prisma, { branchId: branch.id, stage: "staging" })).toMatchObject({
      number: 11,
      stage: "staging",
      state: "queued",
      result: null,
    });
    expect(await findBranchCurrentBuild(prisma, { branchId: branch.id, stage: "development" })).toMatchObject({ number: 12 });
  });
});
