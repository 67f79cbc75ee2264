import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decryptSecret } from "@slipway/config";
import { createPrismaClient, listBranchesByStage, listBranchRows, queueBuild, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, type CreateProjectDeps } from "./create-project";
import { loadProjectAccess } from "../access";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("project creation and the project read models (real PostgreSQL)", () => {
  const key = randomBytes(32);
  let db: TemporaryDatabase;
  let prisma: Db;
  const polled: string[] = [];
  // Local repositories only under the configured root: here a temporary folder.
  const root = mkdtempSync(path.join(tmpdir(), "slipway-create-project-"));
  const acmeRepo = path.join(root, "acme.git");
  mkdirSync(acmeRepo);
  const dns: Record<string, string[]> = { "git.example.org": ["140.82.112.3"], "rebind.example.org": ["10.1.2.3"] };
  const policy = {
    creators: ["grace"],
    localReposRoot: root,
    odooImages: ["odoo:*", "slipway/odoo-standin:*"],
    resolveHost: async (host: string) => dns[host] ?? [],
  };
  const deps = (): CreateProjectDeps => ({ prisma, encryptionKey: key, pollBranches: async (id: string) => void polled.push(id), policy });
  const input = {
    name: "Acme",
    slug: "acme",
    repoUrl: acmeRepo,
    odooVersion: "17.0",
    odooImage: "odoo:{version}",
    baseDomain: "slipway.localhost",
  };
  const as = (user: { id: string; login: string; isSuperuser?: boolean }) => ({ ...user, isSuperuser: user.isSuperuser ?? false });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the project with an encrypted secret, makes the creator admin and polls its branches", async () => {
    const user = await prisma.user.create({ data: { login: "creator", isSuperuser: true } });
    const res = await createProject(deps(), { creator: as(user), input });
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
    await expect(loadProjectAccess({ prisma, user: { id: other.id, isSuperuser: false }, slug: "acme" })).rejects.toThrow(
      /no project named "acme"/,
    );
    expect((await loadProjectAccess({ prisma, user: { id: other.id, isSuperuser: true }, slug: "acme" })).actor).toEqual({
      kind: "superuser",
    });
  });

  it("writes nothing for a bad form or a taken slug, and says why next to the field", async () => {
    const user = as(await prisma.user.create({ data: { login: "second", isSuperuser: true } }));
    const count = await prisma.project.count();
    expect(await createProject(deps(), { creator: user, input: { ...input, slug: "Bad Slug", repoUrl: "ftp:/nope" } })).toEqual({
      ok: false,
      errors: { slug: "The project name must be lowercase.", repoUrl: expect.stringContaining("is not a Git URL Slipway understands") },
    });
    expect(await createProject(deps(), { creator: user, input })).toEqual({
      ok: false,
      errors: { slug: 'A project named "acme" already exists. Choose another name.' },
    });
    expect(await prisma.project.count()).toBe(count);
    expect(await prisma.collaborator.count({ where: { userId: user.id } })).toBe(0);
  });

  it("lets only superusers and the configured logins create projects", async () => {
    const count = await prisma.project.count();
    const dana = as(await prisma.user.create({ data: { login: "dana" } }));
    await expect(createProject(deps(), { creator: dana, input: { ...input, slug: "dana-shop" } })).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/Only platform administrators/),
    });
    expect(await prisma.project.count()).toBe(count);
    // An allowlisted login (case-insensitive) may, without being a superuser.
    const grace = as(await prisma.user.create({ data: { login: "Grace" } }));
    expect(await createProject(deps(), { creator: grace, input: { ...input, slug: "grace-shop" } })).toMatchObject({
      ok: true,
      slug: "grace-shop",
    });
  });

  it("refuses repositories outside the local root or on non-public hosts, and images outside the allowlist, next to their field", async () => {
    const admin = as(await prisma.user.create({ data: { login: "root-admin", isSuperuser: true } }));
    const count = await prisma.project.count();
    const refused = async (patch: Partial<typeof input>) => {
      const res = await createProject(deps(), {
        creator: admin,
        input: { ...input, slug: `refused-${randomBytes(2).toString("hex")}`, ...patch },
      });
      expect(res.ok).toBe(false);
      return (res as { errors: Record<string, string> }).errors;
    };
    expect(await refused({ repoUrl: "/root" })).toEqual({ repoUrl: expect.stringMatching(/must be inside/) });
    expect(await refused({ repoUrl: "file:///etc" })).toEqual({ repoUrl: expect.stringMatching(/must be inside/) });
    expect(await refused({ repoUrl: "http://127.0.0.1:20190/config/" })).toEqual({
      repoUrl: expect.stringMatching(/loopback, link-local, private/),
    });
    expect(await refused({ repoUrl: "http://169.254.169.254/latest/meta-data" })).toEqual({
      repoUrl: expect.stringMatching(/loopback, link-local, private/),
    });
    expect(await refused({ repoUrl: "https://rebind.example.org/team/repo.git" })).toEqual({
      repoUrl: expect.stringMatching(/resolves to 10\.1\.2\.3/),
    });
    expect(await refused({ odooImage: "attacker/odoo:17.0" })).toEqual({ odooImage: expect.stringMatching(/not allowed on this Slipway/) });
    expect(await refused({ repoUrl: "/root", odooImage: "evil:latest" })).toEqual({
      repoUrl: expect.any(String),
      odooImage: expect.any(String),
    });
    expect(await prisma.project.count()).toBe(count);
    // Positive controls: a public host and the stand-in image are accepted.
    expect(
      await createProject(deps(), {
        creator: admin,
        input: { ...input, slug: "public-shop", repoUrl: "https://git.example.org/team/repo.git", odooImage: "slipway/odoo-standin:17.0" },
      }),
    ).toMatchObject({ ok: true });
  });

  it("orders builds rows production first then by last build, filters by name or commit message", async () => {
    const project = await prisma.project.findUniqueOrThrow({ where: { slug: "acme" } });
    const branch = (name: string, stage: "production" | "development" = "development") =>
      prisma.branch.create({
        data: { projectId: project.id, name, stage, productionSlot: stage === "production" ? true : null, headRevision: "a".repeat(40) },
      });
    const main = await branch("main", "production");
    const feature = await branch("feature-x");
    const fix = await branch("fix-y");
    await branch("idle");
    await queueBuild(prisma, { projectId: project.id, branchId: main.id, revision: "1".repeat(40), commitMessage: "Initial" });
    await queueBuild(prisma, {
      projectId: project.id,
      branchId: fix.id,
      revision: "2".repeat(40),
      commitMessage: "Fix the invoice report",
    });
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
