import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import { insertProject, recordPush } from "../index";

let db: TemporaryDatabase;
let prisma: PrismaClient;
let projectId: string;
const sha = (c: string) => c.repeat(40);

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

describe("recordPush", () => {
  it("creates the branch in development with a queued build, once per delivery", async () => {
    const first = await recordPush(prisma, {
      projectId,
      branch: "main",
      revision: sha("a"),
      message: "Init",
      author: "Ada",
      deliveryId: "github:d1",
    });
    expect(first).toMatchObject({ kind: "recorded", createdBranch: true });
    if (first.kind !== "recorded") throw new Error("unreachable");
    expect(first.build).toMatchObject({ number: 1, state: "queued", stage: "development", revision: sha("a") });
    expect(await recordPush(prisma, { projectId, branch: "main", revision: sha("a"), deliveryId: "github:d1" })).toEqual({
      kind: "duplicate",
    });
    expect(await prisma.build.count()).toBe(1);
    expect(await prisma.event.count({ where: { kind: "push" } })).toBe(1);
  });

  it("records the head without a second build while one is in progress (not mistaken for a duplicate)", async () => {
    const second = await recordPush(prisma, { projectId, branch: "main", revision: sha("b"), deliveryId: "github:d2" });
    expect(second).toMatchObject({ kind: "recorded", build: null });
    const branch = await prisma.branch.findFirstOrThrow({ where: { name: "main" } });
    expect(branch.headRevision).toBe(sha("b"));
  });

  it("honours 'do nothing' and archives deleted branches", async () => {
    await prisma.branch.update({ where: { projectId_name: { projectId, name: "main" } }, data: { pushBehavior: "do_nothing" } });
    await prisma.build.updateMany({ data: { state: "running", inProgressSlot: null } });
    expect(await recordPush(prisma, { projectId, branch: "main", revision: sha("c") })).toMatchObject({ kind: "recorded", build: null });
    expect(await recordPush(prisma, { projectId, branch: "main", revision: null, deliveryId: "github:d3" })).toMatchObject({
      kind: "archived",
    });
    expect((await prisma.branch.findFirstOrThrow({ where: { name: "main" } })).archivedAt).not.toBeNull();
  });
});
