import { getPrisma, insertProject, listCollaborators, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGithub, type FakeGithub } from "../../../../../e2e/support/github-double";
import { loadProjectAccess, type ProjectAccess } from "../access";
import { updateProjectSettings } from "../projects/update-project-settings";
import { addCollaborator, changeCollaboratorRole, removeCollaborator } from "./manage-collaborators";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("collaborators and project settings (real PostgreSQL, fake GitHub API)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let github: FakeGithub;
  let ownerId: string;
  let projectId: string;
  const as = (id: string) => loadProjectAccess({ prisma, user: { id, isSuperuser: false }, slug: "team-shop" });
  const collaboratorOf = async (login: string) => (await listCollaborators(prisma, { projectId })).find((c) => c.user.login === login)!;
  /** The Settings page's Project form as submitted: the project's own values, with `change` typed in. */
  const saveSettings = (access: ProjectAccess, change: { name: string; publicAccess: boolean }, ip?: string) => {
    const { odooVersion, odooImage, repoUrl } = access.project;
    return updateProjectSettings(
      { prisma, policy: { odooImages: ["*"] } },
      { access, input: { odooVersion, odooImage, repoUrl, ...change }, ip },
    );
  };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    github = await startFakeGithub();
    github.addUser({ id: 7001, login: "Octo-Dev", name: "Octo Developer" });
    github.addUser({ id: 7002, login: "tess", name: "Tess Tester" });
    const owner = await prisma.user.create({ data: { login: "owner", githubId: "7000" } });
    ownerId = owner.id;
    ({ id: projectId } = await insertProject(prisma, {
      slug: "team-shop",
      name: "Team shop",
      repoUrl: "/srv/git/t.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: owner.id,
    }));
  });

  afterAll(async () => {
    await github?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const deps = () => ({ prisma, githubApiUrl: github.url });

  it("adds a GitHub user by username as Developer by default, creating the user with its GitHub id", async () => {
    const row = await addCollaborator(deps(), { access: await as(ownerId), login: "@octo-dev", ip: "10.1.1.1" });
    expect(row).toMatchObject({ role: "developer", user: { login: "Octo-Dev", githubId: "7001", name: "Octo Developer" } });
    await expect(addCollaborator(deps(), { access: await as(ownerId), login: "octo-dev" })).rejects.toMatchObject({ code: "conflict" });
    await expect(addCollaborator(deps(), { access: await as(ownerId), login: "nobody-here" })).rejects.toMatchObject({
      code: "not_found",
      message: 'There is no local user or GitHub user named "nobody-here".',
    });
    await expect(addCollaborator(deps(), { access: await as(ownerId), login: "bad name!" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    const tester = await addCollaborator(deps(), { access: await as(ownerId), login: "tess", role: "tester" });
    expect(tester.role).toBe("tester");
  });

  it("refuses collaborator management and settings to non-admins", async () => {
    const dev = (await collaboratorOf("Octo-Dev")).user.id;
    await expect(addCollaborator(deps(), { access: await as(dev), login: "tess" })).rejects.toMatchObject({
      code: "forbidden",
      message: "Your role (developer) does not give access to collaborator management.",
    });
    const tessId = (await collaboratorOf("tess")).id;
    await expect(removeCollaborator({ prisma }, { access: await as(dev), collaboratorId: tessId })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(saveSettings(await as(dev), { name: "x", publicAccess: true })).rejects.toMatchObject({
      code: "forbidden",
    });
  });

  it("keeps the last admin: no removal, no demotion, until another admin exists", async () => {
    const ownerRow = await collaboratorOf("owner");
    await expect(removeCollaborator({ prisma }, { access: await as(ownerId), collaboratorId: ownerRow.id })).rejects.toMatchObject({
      code: "invalid_state",
      message: expect.stringContaining("last admin"),
    });
    await expect(
      changeCollaboratorRole({ prisma }, { access: await as(ownerId), collaboratorId: ownerRow.id, role: "developer" }),
    ).rejects.toMatchObject({ code: "invalid_state" });
    const tess = await collaboratorOf("tess");
    await changeCollaboratorRole({ prisma }, { access: await as(ownerId), collaboratorId: tess.id, role: "admin" });
    await changeCollaboratorRole({ prisma }, { access: await as(ownerId), collaboratorId: ownerRow.id, role: "tester" });
    expect((await collaboratorOf("owner")).role).toBe("tester");
    // The two remaining admins demoting each other at once: one of them must stay admin.
    await changeCollaboratorRole({ prisma }, { access: await as(tess.user.id), collaboratorId: ownerRow.id, role: "admin" });
    const results = await Promise.allSettled([
      changeCollaboratorRole({ prisma }, { access: await as(ownerId), collaboratorId: tess.id, role: "developer" }),
      changeCollaboratorRole({ prisma }, { access: await as(tess.user.id), collaboratorId: ownerRow.id, role: "developer" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const team = await listCollaborators(prisma, { projectId });
    expect(team.filter((c) => c.role === "admin")).toHaveLength(1);
  });

  it("toggles public access and records every change in the audit log", async () => {
    const team = await listCollaborators(prisma, { projectId });
    const admin = team.find((c) => c.role === "admin")!;
    await saveSettings(await as(admin.user.id), { name: "Team shop", publicAccess: true }, "10.1.1.2");
    expect((await prisma.project.findUniqueOrThrow({ where: { slug: "team-shop" } })).publicAccess).toBe(true);
    await saveSettings(await as(admin.user.id), { name: "Team shop", publicAccess: true }); // no change, no entry
    const octo = team.find((c) => c.user.login === "Octo-Dev")!;
    await removeCollaborator({ prisma }, { access: await as(admin.user.id), collaboratorId: octo.id });
    const actions = (await prisma.auditEntry.findMany({ orderBy: { createdAt: "asc" }, select: { action: true, target: true } })).map(
      (e) => `${e.action} ${e.target}`,
    );
    expect(actions).toEqual([
      "collaborator.add Octo-Dev",
      "collaborator.add tess",
      "collaborator.role tess",
      "collaborator.role owner",
      "collaborator.role owner",
      expect.stringMatching(/^collaborator\.role (tess|owner)$/),
      "project.settings team-shop",
      "collaborator.remove Octo-Dev",
    ]);
    const settings = await prisma.auditEntry.findFirstOrThrow({ where: { action: "project.settings" } });
    expect(settings).toMatchObject({ actorId: admin.user.id, ip: "10.1.1.2", details: { publicAccess: { from: false, to: true } } });
  });
});
