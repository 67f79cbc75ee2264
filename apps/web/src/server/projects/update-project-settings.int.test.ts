import { getPrisma, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess } from "../access";
import { updateProjectSettings, type ProjectSettingsInput } from "./update-project-settings";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("project settings: rename, image, version, repository (real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let adminId: string;
  let developerId: string;
  const policy = {
    odooImages: ["odoo:*", "slipway/odoo-standin:*"],
    // github.com resolves to a public address, intranet.example to a private one.
    resolveHost: async (host: string) => (host === "github.com" ? ["140.82.112.3"] : ["10.0.0.7"]),
  };
  const current: ProjectSettingsInput = {
    name: "Shop",
    publicAccess: false,
    odooVersion: "17.0",
    odooImage: "slipway/odoo-standin:17.0",
    repoUrl: "https://github.com/acme/shop.git",
  };
  const save = async (userId: string, change: Partial<ProjectSettingsInput>) =>
    updateProjectSettings(
      { prisma, policy },
      {
        access: await loadProjectAccess({ prisma, user: { id: userId, isSuperuser: false }, slug: "shop" }),
        input: { ...current, ...change },
        ip: "10.0.0.1",
      },
    );
  const project = () => prisma.project.findUniqueOrThrow({ where: { slug: "shop" } });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    adminId = (await prisma.user.create({ data: { login: "admin" } })).id;
    developerId = (await prisma.user.create({ data: { login: "dev" } })).id;
    const { id } = await insertProject(prisma, {
      slug: "shop",
      name: "Shop",
      repoUrl: current.repoUrl,
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop",
      odooVersion: "17.0",
      odooImage: "slipway/odoo-standin:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: adminId,
    });
    await prisma.collaborator.create({ data: { projectId: id, userId: developerId, role: "developer" } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("renames the project: the name changes, the slug (hostnames, databases) stays; audited", async () => {
    expect(await save(adminId, { name: "Shop (EU)" })).toEqual({ ok: true, changed: ["name"] });
    expect(await project()).toMatchObject({ name: "Shop (EU)", slug: "shop" });
    current.name = "Shop (EU)";
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "project.settings" } });
    expect(entry).toMatchObject({ actorId: adminId, target: "shop", ip: "10.0.0.1", details: { name: { from: "Shop", to: "Shop (EU)" } } });
  });

  it("changes the Odoo version and image together, and the repository (GitHub owner/repo follow)", async () => {
    const r = await save(adminId, {
      odooVersion: "18.0",
      odooImage: "slipway/odoo-standin:18.0",
      repoUrl: "https://github.com/acme/shop-v2.git",
    });
    expect(r).toEqual({ ok: true, changed: ["odooVersion", "odooImage", "repoUrl"] });
    expect(await project()).toMatchObject({
      odooVersion: "18.0",
      odooImage: "slipway/odoo-standin:18.0",
      repoUrl: "https://github.com/acme/shop-v2.git",
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop-v2",
    });
    Object.assign(current, { odooVersion: "18.0", odooImage: "slipway/odoo-standin:18.0", repoUrl: "https://github.com/acme/shop-v2.git" });
  });

  it("refuses bad values field by field and writes nothing", async () => {
    const before = await project();
    const audits = await prisma.auditEntry.count();
    expect(await save(adminId, { odooVersion: "17.0" })).toEqual({
      ok: false,
      errors: { odooImage: "The image slipway/odoo-standin:18.0 is Odoo 18.0 but the version chosen is 17.0; change both together." },
    });
    expect(await save(adminId, { odooImage: "acme/odoo:18.0" })).toMatchObject({
      ok: false,
      errors: { odooImage: expect.stringContaining("is not allowed on this Slipway") },
    });
    expect(await save(adminId, { odooImage: "not an image" })).toMatchObject({ ok: false, errors: { odooImage: expect.any(String) } });
    expect(await save(adminId, { repoUrl: "https://intranet.example/shop.git" })).toMatchObject({
      ok: false,
      errors: { repoUrl: expect.any(String) },
    });
    expect(await save(adminId, { repoUrl: "ftp://x" })).toMatchObject({ ok: false, errors: { repoUrl: expect.any(String) } });
    expect(await save(adminId, { name: "  " })).toMatchObject({ ok: false, errors: { name: expect.any(String) } });
    expect(await save(adminId, { odooVersion: "12.0" })).toMatchObject({ ok: false, errors: { odooVersion: expect.any(String) } });
    expect(await project()).toEqual(before);
    expect(await prisma.auditEntry.count()).toBe(audits);
  });

  it("admins only", async () => {
    await expect(save(developerId, { name: "Mine" })).rejects.toMatchObject({ code: "forbidden" });
    expect((await project()).name).toBe("Shop (EU)");
  });
});
