import { randomBytes } from "node:crypto";
import { decryptSecret } from "@slipway/config";
import { createPrismaClient, listBranchesByStage, listBranchRows, queueBuild, type PrismaClient } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject } from "./create-project";
import { loadProjectAccess } from "../access";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("project creation and the project read models (real PostgreSQL)", () => {
  const key = randomBytes(32);
  let db: TemporaryDatabase;
  let prisma: PrismaClient;
  const polled: string[] = [];
  const deps = () => ({ prisma, encryptionKey: key, pollBranches: async (id: string) => void polled.push(id) });
  const input = { name: "Acme", slug: "acme", repoUrl: "/srv/git/acme.git", odooVersion: "17.0", odooImage: "odoo:{version}", baseDomain: "slipway.localhost" };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("creates the project with an encrypted secret, makes the creator admin and polls its branches", async () => {
    const user = await prisma.user.create({ data: { login: "creator" } });
    const res = await createProject(deps(), { creatorId: user.id, input });
    expect(res.ok).toBe(true);
    const project = await prisma.project.findUniqueOrThrow({ where: { slug: "acme" }, include: { collaborators: true } });
    expect(project).toMatchObject({ name: "Acme", repoKind: "generic", odooImage: "odoo:17.0", odooVersion: "17.0" });
    expect(decryptSecret(project.webhookSecretEnc, key)).toMatch(/^[0-9a-f]{64}$/);
    expect(project.collaborators.map((c) => [c.userId, c.role])).toEqual([[user.id, "admin"]]);
    expect(polled).toEqual([project.id]);

    // The creator sees it as a collaborator admin; another user does not see it at all.
    const access = await loadProjectAccess({ prisma, user: { id: user.id, isSuperuser: false }, slug: "acme" });
    expect(access.actor).toEqual({ kind: "collaborator", role: "admin" });
    expect(access.can({ action: "project_settings" })).toBe(true);
    const other = await prisma.user.create({ data: { login: "stranger" } });
    await expect(loadProjectAccess({ prisma, user: { id: other.id, isSuperuser: false }, slug: "acme" })).rejects.toThrow(/no project named "acme"/);
    expect((await loadProjectAccess({ prisma, user: { id: other.id, isSuperuser: true }, slug: "acme" })).actor).toEqual({ kind: "superuser" });
  });

  it("writes nothing for a bad form or a taken slug, and says why next to the field", async () => {
    const user = await prisma.user.create({ data: { login: "second" } });
    const count = await prisma.project.count();
    expect(await createProject(deps(), { creatorId: user.id, input: { ...input, slug: "Bad Slug", repoUrl: "ftp:/nope" } })).toEqual({
      ok: false,
      errors: { slug: "The project name must be lowercase.", repoUrl: expect.stringContaining("is not a Git URL Slipway understands") },
    });
    expect(await createProject(deps(), { creatorId: user.id, input })).toEqual({ ok: false, errors: { slug: 'A project named "acme" already exists. Choose another name.' } });
    expect(await prisma.project.count()).toBe(count);
    expect(await prisma.collaborator.count({ where: { userId: user.id } })).toBe(0);
  });

  it("orders builds rows production first then by last build, filters by name or commit message", async () => {
    const project = await prisma.project.findUniqueOrThrow({ where: { slug: "acme" } });
    const branch = (name: string, stage: "production" | "development" = "development") =>
      prisma.branch.create({ data: { projectId: project.id, name, stage, productionSlot: stage === "production" ? true : null, headRevision: "a".repeat(40) } });
    const main = await branch("main", "production");
    const feature = await branch("feature-x");
    const fix = await branch("fix-y");
    await branch("idle");
    await queueBuild(prisma, { projectId: project.id, branchId: main.id, revision: "1".repeat(40), commitMessage: "Initial" });
    await queueBuild(prisma, { projectId: project.id, branchId: fix.id, revision: "2".repeat(40), commitMessage: "Fix the invoice report" });
    await new Promise((r) => setTimeout(r, 5));
    await queueBuild(prisma, { projectId: project.id, branchId: feature.id, revision: "3".repeat(40), commitMessage: "Add a wizard" });

    const rows = await listBranchRows(prisma, { projectId: project.id });
    expect(rows.map((r) => r.name)).toEqual(["main", "feature-x", "fix-y", "idle"]);
    expect(rows[1]?.builds.map((b) => [b.number, b.state])).toEqual([[3, "queued"]]);
    expect((await listBranchRows(prisma, { projectId: project.id, search: "INVOICE" })).map((r) => r.name)).toEqual(["fix-y"]);
    expect((await listBranchRows(prisma, { projectId: project.id, search: "feat" })).map((r) => r.name)).toEqual(["feature-x"]);

    await prisma.branch.update({ where: { id: fix.id }, data: { archivedAt: new Date() } });
    const byStage = await listBranchesByStage(prisma, { projectId: project.id });
    expect(byStage.production.map((b) => b.name)).toEqual(["main"]);
    expect(byStage.staging).toEqual([]);
    expect(byStage.development.map((b) => b.name)).toEqual(["feature-x", "idle"]);
  });
});
