import { randomBytes } from "node:crypto";
import { encryptSecret } from "@slipway/config";
import { getPrisma, insertProject, listProjectsForUser, queueBuild, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { signPayload } from "@slipway/github";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess } from "../access";
import { deleteBranch } from "../branches/delete-branch";
import { handleWebhook } from "../webhooks/handle-webhook";
import { deleteProject } from "./delete-project";

// The web side of deleting (issue 14): who may, what must be typed, what the row and the audit
// say at once, what is enqueued for the worker, and that pushes for deleted things build nothing.
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

const key = randomBytes(32);
const secret = "whsec-delete";
let db: TemporaryDatabase;
let prisma: Db;
let projectId: string;
const users: Record<"admin" | "tester" | "developer", { id: string; login: string }> = {} as never;
const enqueued: string[] = [];
const as = (who: keyof typeof users) => loadProjectAccess({ prisma, user: { id: users[who].id, isSuperuser: false }, slug: "gone-shop" });
const branchDeps = () => ({
  prisma,
  enqueueDelete: async (id: string) => void enqueued.push(`branch:${id}`),
  notify: async () => undefined,
});
const projectDeps = () => ({ prisma, enqueueDelete: async (id: string) => void enqueued.push(`project:${id}`) });

const pushBody = (branch: string, after: string) =>
  JSON.stringify({ ref: `refs/heads/${branch}`, before: "0".repeat(40), after, head_commit: { id: after, message: "Work" } });
const genericPush = (branch: string, after: string, delivery: string) => {
  const body = pushBody(branch, after);
  return handleWebhook(
    {
      prisma,
      encryptionKey: key,
      remoteHeads: async () => new Map([[branch, after]]),
      log: () => undefined,
      enqueueBuild: async (id) => void enqueued.push(`build:${id}`),
    },
    { source: "generic", projectSlug: "gone-shop", event: "push", deliveryId: delivery, signature: signPayload(secret, body), body },
  );
};

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl });
  prisma = getPrisma(db.url);
  for (const role of ["admin", "tester", "developer"] as const) {
    users[role] = await prisma.user.create({ data: { login: `u-${role}` }, select: { id: true, login: true } });
  }
  ({ id: projectId } = await insertProject(prisma, {
    slug: "gone-shop",
    name: "Gone shop",
    repoUrl: "/srv/git/gone.git",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret(secret, key),
    creatorId: users.admin.id,
  }));
  for (const role of ["tester", "developer"] as const)
    await prisma.collaborator.create({ data: { projectId, userId: users[role].id, role } });
  await prisma.branch.create({
    data: { projectId, name: "main", stage: "production", productionSlot: true, headRevision: "a".repeat(40) },
  });
  await prisma.branch.create({ data: { projectId, name: "uat", stage: "staging", headRevision: "b".repeat(40) } });
  await prisma.branch.create({ data: { projectId, name: "feature/x", stage: "development", headRevision: "c".repeat(40) } });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("deleting from the web", () => {
  it("a branch: admins only, never production, after typing its name; marked, audited and enqueued once", async () => {
    const ask = async (who: keyof typeof users, branchName: string, confirmation: string) =>
      deleteBranch(branchDeps(), { access: await as(who), branchName, confirmation, actor: users[who], ip: "10.0.0.9" });
    await expect(ask("developer", "feature/x", "feature/x")).rejects.toMatchObject({ code: "forbidden" });
    await expect(ask("tester", "uat", "uat")).rejects.toMatchObject({ code: "forbidden" });
    await expect(ask("admin", "main", "main")).rejects.toMatchObject({ code: "invalid_state" });
    await expect(ask("admin", "uat", "feature/x")).rejects.toMatchObject({ code: "invalid_input" });
    expect(enqueued).toEqual([]);

    const { branchId } = await ask("admin", "uat", " uat ");
    expect(enqueued).toEqual([`branch:${branchId}`]);
    const row = await prisma.branch.findUniqueOrThrow({ where: { id: branchId } });
    expect(row.deletingAt).not.toBeNull();
    expect(row.archivedAt).not.toBeNull();
    expect(row.deletedAt).toBeNull();
    expect(await prisma.auditEntry.findFirst({ where: { action: "branch.delete" } })).toMatchObject({
      projectId,
      actorId: users.admin.id,
      target: "uat",
      ip: "10.0.0.9",
    });
    // Gone from the branch lookups at once: a second request finds no such branch.
    await expect(ask("admin", "uat", "uat")).rejects.toMatchObject({ code: "not_found" });
    // A push for it while the worker deletes it builds nothing.
    const push = await genericPush("uat", "d".repeat(40), "del-1");
    expect(push.status).toBe(202);
    // Nor does a rebuild or a poll racing the deletion (they queue through queueBuild).
    expect(await queueBuild(prisma, { projectId, branchId, revision: "d".repeat(40) })).toBeNull();
    expect(await prisma.build.count()).toBe(0);
  });

  it("a project: admins only, after typing its name; gone from the list and its pages at once, and a webhook builds nothing", async () => {
    const ask = async (who: keyof typeof users, confirmation: string) =>
      deleteProject(projectDeps(), { access: await as(who), confirmation, actor: users[who], ip: null });
    await expect(ask("developer", "gone-shop")).rejects.toMatchObject({ code: "forbidden" });
    await expect(ask("tester", "gone-shop")).rejects.toMatchObject({ code: "forbidden" });
    await expect(ask("admin", "Gone shop")).rejects.toMatchObject({ code: "invalid_input" });

    // Before: a push builds (the webhook works for this project).
    const before = await genericPush("feature/x", "e".repeat(40), "del-2");
    expect(before.status).toBe(202);
    expect(await prisma.build.count()).toBe(1);
    enqueued.length = 0;

    await ask("admin", "gone-shop");
    expect(enqueued).toEqual([`project:${projectId}`]);
    expect((await prisma.project.findUniqueOrThrow({ where: { id: projectId } })).deletingAt).not.toBeNull();
    expect(await prisma.auditEntry.count({ where: { action: "project.delete", target: "gone-shop", projectId } })).toBe(1);
    expect(await listProjectsForUser(prisma, { id: users.admin.id, isSuperuser: false })).toEqual([]);
    expect(await listProjectsForUser(prisma, { id: users.admin.id, isSuperuser: true })).toEqual([]);
    await expect(as("admin")).rejects.toMatchObject({ code: "not_found" });

    // After: the webhook no longer knows the project (the same 401 as any unknown project); nothing is built.
    const after = await genericPush("feature/x", "f".repeat(40), "del-3");
    expect(after.status).toBe(401);
    const featureX = await prisma.branch.findFirstOrThrow({ where: { name: "feature/x" } });
    await prisma.build.updateMany({ data: { state: "cancelled", inProgressSlot: null } });
    expect(await queueBuild(prisma, { projectId, branchId: featureX.id, revision: "f".repeat(40) })).toBeNull();
    expect(await prisma.build.count()).toBe(1);
    expect(enqueued.filter((e) => e.startsWith("build:"))).toEqual([]);
  });
});
