// The projects list's health read model on a temporary database: a project without production,
// one whose production has a green build and a good backup, one whose newest backup failed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import { insertProject, listProjectHealth } from "../index";

let db: TemporaryDatabase;
let prisma: PrismaClient;
const ids: Record<string, string> = {};
const at = (m: number) => new Date(Date.UTC(2026, 11, 5, 4, m));

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  const user = await prisma.user.create({ data: { login: "ada" } });
  for (const slug of ["empty", "green", "failing"]) {
    const p = await insertProject(prisma, {
      slug,
      name: slug,
      repoUrl: `/srv/git/${slug}.git`,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "x",
      creatorId: user.id,
    });
    ids[slug] = p.id;
  }
  for (const slug of ["green", "failing"]) {
    const projectId = ids[slug]!;
    const main = await prisma.branch.create({ data: { projectId, name: "main", stage: "production", productionSlot: true } });
    await prisma.branch.create({ data: { projectId, name: "dev", stage: "development" } });
    await prisma.build.create({
      data: {
        projectId,
        branchId: main.id,
        number: 1,
        stage: "production",
        revision: "a".repeat(40),
        state: "stopped",
        result: "red",
        inProgressSlot: null,
        createdAt: at(1),
      },
    });
    await prisma.build.create({
      data: {
        projectId,
        branchId: main.id,
        number: 2,
        stage: "production",
        revision: "b".repeat(40),
        state: "running",
        result: "green",
        inProgressSlot: null,
        createdAt: at(2),
      },
    });
    await prisma.backup.create({
      data: { projectId, branchId: main.id, kind: "daily", state: "done", createdAt: at(3), finishedAt: at(4) },
    });
    if (slug === "failing")
      await prisma.backup.create({ data: { projectId, branchId: main.id, kind: "manual", state: "failed", createdAt: at(5) } });
  }
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("listProjectHealth", () => {
  it("gives each project's production build and last backup, in the order asked", async () => {
    const health = await listProjectHealth(prisma, { projectIds: [ids.failing!, ids.empty!, ids.green!] });
    expect(health.map((h) => h.projectId)).toEqual([ids.failing, ids.empty, ids.green]);
    expect(health[1]!.production).toBeNull();
    expect(health[2]!.production).toEqual({
      branch: "main",
      build: { number: 2, state: "running", result: "green", createdAt: at(2) },
      lastBackupAt: at(4),
      lastBackupFailed: false,
    });
    expect(health[0]!.production).toMatchObject({ build: { number: 2 }, lastBackupAt: at(4), lastBackupFailed: true });
    expect(await listProjectHealth(prisma, { projectIds: [] })).toEqual([]);
  });
});
