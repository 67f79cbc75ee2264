// The seed's "GitHub commit statuses" setting (issue 17 item 5): on by default, turned off and on by
// an admin with an audit entry, refused to a developer, refused for a project not on GitHub; the
// card says when no credentials can write statuses.
import { encryptSecret } from "@slipway/config";
import { getPrisma, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { isDomainError } from "@slipway/domain";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess } from "../access";
import { changeCommitStatusesSetting, readCommitStatusesSetting } from "./commit-statuses-setting";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("GitHub commit statuses setting (real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let adminId: string;
  let developerId: string;
  const access = (userId: string, slug = "shop") => loadProjectAccess({ prisma, user: { id: userId, isSuperuser: false }, slug });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    adminId = (await prisma.user.create({ data: { login: "admin" } })).id;
    developerId = (await prisma.user.create({ data: { login: "dev" } })).id;
    const common = {
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: adminId,
    };
    const { id } = await insertProject(prisma, {
      ...common,
      slug: "shop",
      name: "Shop",
      repoUrl: "https://github.com/acme/shop.git",
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop",
    });
    await insertProject(prisma, { ...common, slug: "local", name: "Local", repoUrl: "/srv/git/local.git", repoKind: "generic" });
    await prisma.collaborator.create({ data: { projectId: id, userId: developerId, role: "developer" } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("is on by default and says that nothing is posted without credentials", async () => {
    expect(await readCommitStatusesSetting({ prisma }, await access(adminId))).toEqual({
      repoKind: "github",
      enabled: true,
      hasCredentials: false,
    });
    const key = randomBytes(32);
    await prisma.project.update({ where: { slug: "shop" }, data: { githubTokenEnc: encryptSecret("github_pat_x", key) } });
    expect((await readCommitStatusesSetting({ prisma }, await access(adminId))).hasCredentials).toBe(true);
  });

  it("an admin turns it off and on again, audited; saving the same value changes nothing", async () => {
    expect(await changeCommitStatusesSetting({ prisma }, { access: await access(adminId), enabled: false, ip: "10.0.0.1" })).toMatch(
      /no longer post/,
    );
    expect((await prisma.project.findUniqueOrThrow({ where: { slug: "shop" } })).commitStatuses).toBe(false);
    expect(await changeCommitStatusesSetting({ prisma }, { access: await access(adminId), enabled: false, ip: null })).toBe(
      "Nothing changed.",
    );
    await changeCommitStatusesSetting({ prisma }, { access: await access(adminId), enabled: true, ip: null });
    const entries = await prisma.auditEntry.findMany({ where: { action: "project.settings" }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => e.details)).toEqual([
      { commitStatuses: { from: true, to: false } },
      { commitStatuses: { from: false, to: true } },
    ]);
    expect(entries[0]).toMatchObject({ actorId: adminId, target: "shop", ip: "10.0.0.1" });
  });

  it("refuses a developer (reading and changing) and a project that is not on GitHub", async () => {
    const refused = async (p: Promise<unknown>, code: "forbidden" | "invalid_state") => {
      const error = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isDomainError(error, code)).toBe(true);
    };
    await refused(readCommitStatusesSetting({ prisma }, await access(developerId)), "forbidden");
    await refused(changeCommitStatusesSetting({ prisma }, { access: await access(developerId), enabled: false, ip: null }), "forbidden");
    await refused(
      changeCommitStatusesSetting({ prisma }, { access: await access(adminId, "local"), enabled: false, ip: null }),
      "invalid_state",
    );
    expect((await prisma.project.findUniqueOrThrow({ where: { slug: "shop" } })).commitStatuses).toBe(true);
  });
});
