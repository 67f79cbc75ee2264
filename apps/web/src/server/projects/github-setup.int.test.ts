import { randomBytes } from "node:crypto";
import { decryptSecret } from "@slipway/config";
import { createPrismaClient, findGitCredentials, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../../e2e/support/github-double";
import { deployKeysOf, webhooksOf } from "../../../../../e2e/support/github-double/keys-and-hooks";
import { loadProjectAccess } from "../access";
import { createProject, type CreateProjectDeps } from "./create-project";
import { addSubmodule, NO_CREDENTIALS, readGitHubSetup, removeSubmodule, verifyGitHubSetup, type GitHubSetupDeps } from "./github-setup";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("GitHub key and webhook, submodules (real PostgreSQL, the GitHub double through Octokit)", () => {
  const key = randomBytes(32);
  let db: TemporaryDatabase;
  let prisma: Db;
  let github: GithubDouble;
  const queued: string[] = [];
  const policy = { creators: ["grace"], odooImages: ["odoo:*"], resolveHost: async () => ["140.82.112.3"] };
  const createDeps = (): CreateProjectDeps => ({
    prisma,
    encryptionKey: key,
    pollBranches: async () => undefined,
    setUpGitHub: async (id) => void queued.push(id),
    policy,
  });
  let setupDeps: GitHubSetupDeps;
  const input = (slug: string, repo: string) => ({
    name: slug,
    slug,
    repoUrl: `https://github.com/${repo}`,
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
  });
  let grace: { id: string; login: string; isSuperuser: boolean };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    github = await startGithubDouble();
    github.addUser({ id: 7, login: "grace" });
    github.addRepo({ owner: "grace", name: "shop", private: true });
    setupDeps = {
      prisma,
      config: { encryptionKey: key, github: { apiUrl: github.url, oauthUrl: github.url } },
      publicUrl: "https://slipway.example",
    };
    grace = { ...(await prisma.user.create({ data: { login: "grace" } })), isSuperuser: false };
  });
  afterAll(async () => {
    await github?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("a GitHub project gets its own Ed25519 deploy key (private half encrypted) and its set-up queued", async () => {
    const res = await createProject(createDeps(), {
      creator: grace,
      input: input("shop", "grace/shop"),
      githubToken: github.issueToken("grace"),
    });
    expect(res.ok).toBe(true);
    const projectId = (res as { projectId: string }).projectId;
    expect(queued).toEqual([projectId]);
    const creds = await findGitCredentials(prisma, projectId);
    expect(creds?.deployKeyPublic).toMatch(/^ssh-ed25519 AAAA\S+ slipway:shop$/);
    expect(creds?.deployKeyEnc).toMatch(/^v1:/);
    expect(decryptSecret(creds!.deployKeyEnc!, key)).toContain("BEGIN OPENSSH PRIVATE KEY");
    const access = await loadProjectAccess({ prisma, user: grace, slug: "shop" });
    expect(await readGitHubSetup(setupDeps, access)).toMatchObject({ deployKeyStatus: "pending", webhookStatus: "pending" });
  });

  it("Verify Deploy Key adds the key, finds it, re-adds it once deleted on GitHub; Verify Webhook creates the signed push hook", async () => {
    const access = await loadProjectAccess({ prisma, user: grace, slug: "shop" });
    expect(await verifyGitHubSetup(setupDeps, { access, what: "deploy-key", ip: null })).toEqual({
      ok: true,
      message: "Deploy key added: The deploy key was added to grace/shop (read-only).",
    });
    expect(await verifyGitHubSetup(setupDeps, { access, what: "deploy-key", ip: null })).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Deploy key verified/),
    });
    deployKeysOf(github.state, "grace/shop").splice(0);
    expect(await verifyGitHubSetup(setupDeps, { access, what: "deploy-key", ip: null })).toMatchObject({
      message: expect.stringMatching(/^Deploy key added/),
    });
    const setup = await readGitHubSetup(setupDeps, access);
    expect(deployKeysOf(github.state, "grace/shop")).toMatchObject([
      { key: setup.deployKeyPublic!.split(" ").slice(0, 2).join(" "), read_only: true },
    ]);
    expect(setup.deployKeyStatus).toBe("added");

    expect(await verifyGitHubSetup(setupDeps, { access, what: "webhook", ip: null })).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Webhook added/),
    });
    const secretEnc = (await prisma.project.findUniqueOrThrow({ where: { id: access.project.id } })).webhookSecretEnc;
    expect(webhooksOf(github.state, "grace/shop")).toMatchObject([
      {
        active: true,
        events: ["push"],
        config: { url: "https://slipway.example/api/webhooks/github", content_type: "json", secret: decryptSecret(secretEnc, key) },
      },
    ]);
    const actions = (await prisma.auditEntry.findMany({ where: { projectId: access.project.id }, orderBy: { createdAt: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions.filter((a) => a.startsWith("github."))).toEqual([
      "github.deploy-key.verify",
      "github.deploy-key.verify",
      "github.deploy-key.verify",
      "github.webhook.verify",
    ]);
  });

  it("without credentials Verify explains manual set-up; a developer may not verify", async () => {
    github.addRepo({ owner: "grace", name: "blog", private: true });
    await createProject(createDeps(), { creator: grace, input: input("blog", "grace/blog") });
    const access = await loadProjectAccess({ prisma, user: grace, slug: "blog" });
    expect(await verifyGitHubSetup(setupDeps, { access, what: "webhook", ip: null })).toEqual({
      ok: false,
      message: `Webhook failed: No GitHub App is set up and the project has no GitHub token. ${NO_CREDENTIALS}`,
    });
    expect((await readGitHubSetup(setupDeps, access)).webhookStatus).toBe("manual");
    const dev = await prisma.user.create({ data: { login: "dev" } });
    await prisma.collaborator.create({ data: { projectId: access.project.id, userId: dev.id, role: "developer" } });
    const devAccess = await loadProjectAccess({ prisma, user: { id: dev.id, isSuperuser: false }, slug: "blog" });
    await expect(verifyGitHubSetup(setupDeps, { access: devAccess, what: "deploy-key", ip: null })).rejects.toThrow();
    await expect(addSubmodule(setupDeps, { access: devAccess, url: "git@github.com:grace/lib.git", ip: null })).rejects.toThrow();
  });

  it("Submodules: an SSH URL gets a key pair of its own, shown public; bad URLs refused; no private key in the audit log", async () => {
    const access = await loadProjectAccess({ prisma, user: grace, slug: "shop" });
    await expect(addSubmodule(setupDeps, { access, url: "https://evil.example/x.git", ip: null })).rejects.toThrow(/SSH URL/);
    expect(await addSubmodule(setupDeps, { access, url: "ssh://git@github.com/grace/lib", ip: null })).toMatch(
      /^git@github\.com:grace\/lib\.git added/,
    );
    await expect(addSubmodule(setupDeps, { access, url: "git@github.com:grace/lib.git", ip: null })).rejects.toThrow(/already listed/);
    const { submodules } = await readGitHubSetup(setupDeps, access);
    expect(submodules).toMatchObject([{ url: "git@github.com:grace/lib.git", publicKey: expect.stringMatching(/^ssh-ed25519 /) }]);
    expect(submodules[0]!.publicKey).not.toBe((await readGitHubSetup(setupDeps, access)).deployKeyPublic);
    const creds = await findGitCredentials(prisma, access.project.id);
    const privateKeys = [creds!.deployKeyEnc!, ...creds!.submodules.map((s) => s.privateKeyEnc)].map(
      (k) => decryptSecret(k, key).split("\n")[1]!,
    );
    const audit = JSON.stringify(await prisma.auditEntry.findMany());
    for (const k of privateKeys) expect(audit).not.toContain(k);
    expect(audit).not.toContain("PRIVATE KEY");
    expect(await removeSubmodule(setupDeps, { access, id: submodules[0]!.id, ip: null })).toMatch(/removed/);
    expect((await readGitHubSetup(setupDeps, access)).submodules).toEqual([]);
  });
});
