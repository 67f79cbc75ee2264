import { getPrisma, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import type { BranchSettingsInput, Role } from "@slipway/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectAccess } from "../access";
import { parseBranchSettingsForm, readBranchSettings, updateBranchSettings } from "./update-branch-settings";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("branch settings action (real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let projectId: string;
  const users: Record<Role, string> = { admin: "", tester: "", developer: "" };
  const policy = { odooImages: ["slipway/odoo-standin:*"] };

  const save = async (role: Role, branchName: string, input: BranchSettingsInput) =>
    updateBranchSettings(
      { prisma, policy },
      {
        access: await loadProjectAccess({ prisma, user: { id: users[role], isSuperuser: false }, slug: "bset" }),
        branchName,
        input,
        actor: { id: users[role], login: role },
        ip: "10.0.0.9",
      },
    );
  const row = (name: string) => prisma.branch.findFirstOrThrow({ where: { projectId, name } });
  const audits = () => prisma.auditEntry.findMany({ where: { action: "branch.settings" }, orderBy: { createdAt: "asc" } });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    for (const role of ["admin", "tester", "developer"] as const) users[role] = (await prisma.user.create({ data: { login: role } })).id;
    projectId = (
      await insertProject(prisma, {
        slug: "bset",
        name: "Branch settings",
        repoUrl: "/srv/git/b.git",
        repoKind: "generic",
        odooVersion: "17.0",
        odooImage: "slipway/odoo-standin:17.0",
        baseDomain: "slipway.localhost",
        webhookSecretEnc: "v1:x:y:z",
        creatorId: users.admin,
      })
    ).id;
    await prisma.collaborator.createMany({
      data: [
        { projectId, userId: users.tester, role: "tester" },
        { projectId, userId: users.developer, role: "developer" },
      ],
    });
    await prisma.branch.createMany({
      data: [
        { projectId, name: "feature", stage: "development" },
        { projectId, name: "uat", stage: "staging", pushBehavior: "update_previous" },
        { projectId, name: "main", stage: "production", productionSlot: true },
      ],
    });
    // The last build of "feature" found two modules (its discover step's recorded detail).
    const feature = await row("feature");
    await prisma.build.create({
      data: {
        projectId,
        branchId: feature.id,
        number: 1,
        stage: "development",
        revision: "a".repeat(40),
        state: "running",
        inProgressSlot: null,
        steps: {
          create: {
            name: "discover",
            position: 1,
            state: "succeeded",
            detail: {
              modules: [
                { name: "green_addon", manifest: { installable: true } },
                { name: "warning_addon", manifest: { installable: true } },
                { name: "old_addon", manifest: { installable: false } },
              ],
            },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("a developer changes a development branch's test tags from the form; event and audit entry record the change", async () => {
    const input = parseBranchSettingsForm({
      slug: "bset",
      branch: "feature",
      pushBehavior: "new_build",
      developmentBehaviour: "1",
      installMode: "own_modules",
      testsEnabled: "on",
      testTags: "/green_addon, at_install",
    });
    expect(await save("developer", "feature", input)).toEqual({ changed: ["testTags"] });
    expect(await row("feature")).toMatchObject({ testTags: "/green_addon,at_install", testsEnabled: true, installMode: "own_modules" });
    const [entry] = await audits();
    expect(entry).toMatchObject({
      actorId: users.developer,
      target: "feature",
      ip: "10.0.0.9",
      details: { testTags: { from: null, to: "/green_addon,at_install" } },
    });
    const event = await prisma.event.findFirstOrThrow({ where: { kind: "branch.settings" } });
    expect(event.message).toContain("testTags");
  });

  it("bad test tags, unknown modules, an image outside the allowlist: a clear refusal and nothing written", async () => {
    const before = await row("feature");
    const auditCount = (await audits()).length;
    await expect(
      save("developer", "feature", { useDefault: false, installMode: "list", installModules: "green_addon", testTags: "bad tag" }),
    ).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining('Invalid test tag: "bad tag"') });
    await expect(
      save("developer", "feature", { useDefault: false, installMode: "list", installModules: "green_addon,nope" }),
    ).rejects.toMatchObject({
      code: "invalid_input",
      message: "Unknown module: nope — not found in the branch's addons folders by its last build (found: green_addon, warning_addon).",
    });
    await expect(
      save("developer", "feature", { useDefault: false, installMode: "list", installModules: "old_addon" }),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(
      updateBranchSettings(
        { prisma, policy: { odooImages: ["odoo:*"] } },
        {
          access: await loadProjectAccess({ prisma, user: { id: users.developer, isSuperuser: false }, slug: "bset" }),
          branchName: "feature",
          input: { odooVersion: "18.0" },
          actor: { id: users.developer, login: "developer" },
        },
      ),
    ).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining("slipway/odoo-standin:18.0 is not allowed") });
    expect(() => parseBranchSettingsForm({ pushBehavior: "sometimes" })).toThrow(/Choose a behaviour upon new commits/);
    expect(await row("feature")).toEqual(before);
    expect((await audits()).length).toBe(auditCount);
  });

  it("a list of modules the last build found, tests off, Odoo 18.0 with a revision", async () => {
    const r = await save("developer", "feature", {
      useDefault: false,
      installMode: "list",
      installModules: "warning_addon green_addon",
      testsEnabled: false,
      testTags: "",
      odooVersion: "18.0",
      odooRevision: "20250110",
    });
    expect(r.changed.sort()).toEqual(["installMode", "installModules", "odooRevision", "odooVersion", "testTags", "testsEnabled"]);
    expect(await row("feature")).toMatchObject({
      installMode: "list",
      installModules: ["warning_addon", "green_addon"],
      testsEnabled: false,
      testTags: null,
      odooVersion: "18.0",
      odooRevision: "20250110",
    });
  });

  it("the role matrix's Settings cell per stage: staging for testers and admins, production for admins (and it has none of these settings)", async () => {
    await expect(save("developer", "uat", { pushBehavior: "new_build" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await save("tester", "uat", { pushBehavior: "new_build" })).toEqual({ changed: ["pushBehavior"] });
    await expect(save("tester", "uat", { testTags: "x", testsEnabled: true, useDefault: false })).rejects.toMatchObject({
      code: "invalid_input",
      message: "Module installation and the test suite is not a setting of staging branches.",
    });
    await expect(save("tester", "main", { pushBehavior: "do_nothing" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(save("admin", "main", { pushBehavior: "do_nothing" })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      readBranchSettings(
        { prisma },
        { access: await loadProjectAccess({ prisma, user: { id: users.developer, isSuperuser: false }, slug: "bset" }), branchName: "uat" },
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(save("admin", "ghost", { pushBehavior: "new_build" })).rejects.toMatchObject({ code: "not_found" });
    expect((await row("uat")).pushBehavior).toBe("new_build");
    expect((await row("main")).pushBehavior).toBe("new_build");
  });
});
