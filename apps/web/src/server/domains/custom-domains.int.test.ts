import { getPrisma, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { DomainError, type Role } from "@slipway/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess } from "../access";
import { addBranchDomain, checkBranchDomainNow, makePrimaryBranchDomain, readBranchDomains, removeBranchDomain } from "./custom-domains";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

// Custom domains of branches on the real PostgreSQL (issue 16): the role matrix on the server, the
// platform-wide unique hostname, the seed's bare-domain rule, audit entries and the queued checks.
describe("custom domains (real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  const users: Record<Role | "other", string> = { admin: "", tester: "", developer: "", other: "" };
  const queued: string[] = [];
  const deps = () => ({ prisma, baseDomain: "slipway.localhost", enqueueCheck: async (id: string) => void queued.push(id) });

  const change = async (who: Role | "other", slug: string, branchName: string) => ({
    access: await loadProjectAccess({ prisma, user: { id: users[who], isSuperuser: false }, slug }),
    branchName,
    actor: { id: users[who], login: who },
    ip: "10.0.0.9",
  });
  const add = async (who: Role | "other", branchName: string, hostname: string, slug = "doma") =>
    addBranchDomain(deps(), { ...(await change(who, slug, branchName)), hostname });
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return { code: e.code, message: e.message };
      throw e;
    }
    return null;
  };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    for (const who of ["admin", "tester", "developer", "other"] as const)
      users[who] = (await prisma.user.create({ data: { login: who } })).id;
    const project = (slug: string, creatorId: string) =>
      insertProject(prisma, {
        slug,
        name: slug,
        repoUrl: "/srv/git/d.git",
        repoKind: "generic",
        odooVersion: "17.0",
        odooImage: "odoo:17.0",
        baseDomain: "slipway.localhost",
        webhookSecretEnc: "v1:x:y:z",
        creatorId,
      });
    const a = await project("doma", users.admin);
    const b = await project("secretproj", users.other);
    await prisma.collaborator.createMany({
      data: [
        { projectId: a.id, userId: users.tester, role: "tester" },
        { projectId: a.id, userId: users.developer, role: "developer" },
      ],
    });
    await prisma.branch.createMany({
      data: [
        { projectId: a.id, name: "main", stage: "production", productionSlot: true },
        { projectId: a.id, name: "uat", stage: "staging" },
        { projectId: a.id, name: "feature", stage: "development" },
        { projectId: b.id, name: "main", stage: "production", productionSlot: true },
      ],
    });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("an admin adds a production domain: normalised, main domain, audited, its check queued", async () => {
    const row = await add("admin", "main", "  WWW.Shop.Test. ");
    expect(row).toMatchObject({ hostname: "www.shop.test", primary: true, verifiedAt: null });
    expect(queued).toEqual([row.id]);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "domain.add" } });
    expect(audit).toMatchObject({
      actorId: users.admin,
      target: "main",
      ip: "10.0.0.9",
      details: { hostname: "www.shop.test", stage: "production" },
    });
    const view = await readBranchDomains({ prisma }, await change("admin", "doma", "main"));
    expect(view.target).toBe("doma.slipway.localhost");
    expect(view.domains.map((d) => d.hostname)).toEqual(["www.shop.test"]);
  });

  it("refuses bare domains with the seed's explanation, and the platform's own names", async () => {
    const bare = await refusal(add("admin", "main", "shop.co.uk"));
    expect(bare?.code).toBe("invalid_input");
    expect(bare?.message).toMatch(/Bare domains are not accepted.*A records.*www\.shop\.co\.uk.*redirect/);
    expect((await refusal(add("admin", "main", "x.slipway.localhost")))?.code).toBe("invalid_input");
    expect(await prisma.domain.count()).toBe(1);
  });

  it("a hostname is used once on the whole platform; another project's is not named", async () => {
    const other = await refusal(add("other", "main", "www.shop.test", "secretproj"));
    expect(other).toEqual({ code: "conflict", message: "www.shop.test is already used by another project on this platform." });
    const same = await refusal(add("admin", "uat", "www.shop.test"));
    expect(same).toMatchObject({ code: "conflict" });
    expect(same?.message).toContain('the branch "main" of this project');
    // Someone who is not a collaborator of the project cannot even read its domains.
    expect((await refusal(change("other", "doma", "main")))?.code).toBe("not_found");
  });

  it("the Settings cell of the branch's stage decides who may change domains", async () => {
    expect((await refusal(add("developer", "main", "www.dev-prod.test")))?.code).toBe("forbidden");
    expect((await refusal(add("tester", "main", "www.tester-prod.test")))?.code).toBe("forbidden");
    expect((await refusal(add("developer", "uat", "www.dev-uat.test")))?.code).toBe("forbidden");
    expect((await add("tester", "uat", "www.uat.test")).primary).toBe(false);
    expect((await add("developer", "feature", "www.feature.test")).hostname).toBe("www.feature.test");
    const prodDomain = (await prisma.domain.findFirstOrThrow({ where: { hostname: "www.shop.test" } })).id;
    expect(
      (await refusal(removeBranchDomain({ prisma }, { ...(await change("developer", "doma", "main")), domainId: prodDomain })))?.code,
    ).toBe("forbidden");
    expect((await refusal(readBranchDomains({ prisma }, await change("developer", "doma", "main"))))?.code).toBe("forbidden");
    // A domain id of another branch is not found through this branch.
    expect((await refusal(checkBranchDomainNow(deps(), { ...(await change("tester", "doma", "uat")), domainId: prodDomain })))?.code).toBe(
      "not_found",
    );
  });

  it("the main domain moves, passes on when removed, and removals are audited", async () => {
    const second = await add("admin", "main", "erp.shop.test");
    expect(second.primary).toBe(false);
    await makePrimaryBranchDomain({ prisma }, { ...(await change("admin", "doma", "main")), domainId: second.id });
    const main = await readBranchDomains({ prisma }, await change("admin", "doma", "main"));
    expect(main.domains.map((d) => [d.hostname, d.primary])).toEqual([
      ["erp.shop.test", true],
      ["www.shop.test", false],
    ]);
    expect(await removeBranchDomain({ prisma }, { ...(await change("admin", "doma", "main")), domainId: second.id })).toBe("erp.shop.test");
    expect((await prisma.domain.findUniqueOrThrow({ where: { hostname: "www.shop.test" } })).primary).toBe(true);
    expect(await prisma.auditEntry.count({ where: { action: { in: ["domain.primary", "domain.remove"] } } })).toBe(2);
    const uat = (await prisma.domain.findFirstOrThrow({ where: { hostname: "www.uat.test" } })).id;
    expect((await refusal(makePrimaryBranchDomain({ prisma }, { ...(await change("admin", "doma", "uat")), domainId: uat })))?.code).toBe(
      "invalid_state",
    );
  });
});
