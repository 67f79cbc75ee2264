// Per-project GitHub credentials (issue 17 item 2) against the GitHub double and a real PostgreSQL:
// the GitHub App created by the manifest flow (stored encrypted, audited without secrets), the
// project's token (checked, stored encrypted, removable), and the choice App installation → token →
// none. No secret may appear in an audit entry or in anything written to the console.
import { decryptSecret, loadWebConfig, type WebConfig } from "@slipway/config";
import { findGitHubAppSummary, getPrisma, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../../e2e/support/github-double";
import { loadProjectAccess } from "../access";
import { completeAppCreation, forgetGitHubApp, manifestFormTarget } from "./github-app";
import { loadProjectGitHub } from "./project-github";
import { changeProjectGitHubToken, checkProjectGitHubCredentials, readGitHubCredentials, removeProjectGitHubToken } from "./project-token";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("GitHub credentials per project: GitHub App (manifest flow) and token (GitHub double, real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let github: GithubDouble;
  let config: WebConfig;
  let admin: { id: string; login: string; name: null; isSuperuser: true };
  let developer: { id: string; login: string; name: null; isSuperuser: false };
  let projectId: string;
  /** Every secret the flows handled: none may show up in audit entries or console output. */
  const secrets: string[] = [];
  const consoleLines: string[] = [];

  const deps = () => ({ prisma, config });
  const access = (user: { id: string; isSuperuser: boolean }) => loadProjectAccess({ prisma, user, slug: "gh-creds" });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    github = await startGithubDouble();
    github.addUser({ id: 11, login: "octo-admin" });
    github.addRepo({ owner: "acme", name: "shop", private: true, admins: ["octo-admin"] });
    config = loadWebConfig({
      ...process.env,
      DATABASE_URL: db.url,
      SLIPWAY_GITHUB_API_URL: github.url,
      SLIPWAY_GITHUB_OAUTH_URL: github.url,
    });
    const a = await prisma.user.create({ data: { login: "root", isSuperuser: true } });
    const d = await prisma.user.create({ data: { login: "dev" } });
    admin = { id: a.id, login: "root", name: null, isSuperuser: true };
    developer = { id: d.id, login: "dev", name: null, isSuperuser: false };
    ({ id: projectId } = await insertProject(prisma, {
      slug: "gh-creds",
      name: "Shop",
      repoUrl: "https://github.com/acme/shop",
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: a.id,
    }));
    await prisma.collaborator.create({ data: { projectId, userId: d.id, role: "developer" } });
  });

  beforeEach(() => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" "));
      });
  });
  afterEach(() => vi.restoreAllMocks());

  afterAll(async () => {
    await github?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** The manifest flow as the browser runs it: the admin page's form posted to GitHub, GitHub's redirect back. */
  async function createAppThroughGitHub(user: typeof admin | typeof developer): Promise<{ code: string; state: string }> {
    const target = manifestFormTarget(deps(), user, "");
    github.signInAs("octo-admin");
    const res = await fetch(target.action, {
      method: "POST",
      body: new URLSearchParams({ manifest: target.manifest }),
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(back.pathname).toBe("/api/admin/github-app/callback");
    return { code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
  }

  it("stores the project's token only once GitHub accepts it for the repository, encrypted and audited without it", async () => {
    const dev = await access(developer);
    await expect(changeProjectGitHubToken(deps(), { access: dev, token: github.issueToken("octo-admin"), ip: null })).rejects.toMatchObject(
      {
        code: "forbidden",
      },
    );
    const owner = await access(admin);
    await expect(changeProjectGitHubToken(deps(), { access: owner, token: "hunter2", ip: null })).rejects.toMatchObject({
      code: "invalid_input",
    });
    const revoked = `github_pat_${"x".repeat(40)}`;
    await expect(changeProjectGitHubToken(deps(), { access: owner, token: revoked, ip: null })).rejects.toMatchObject({
      message: expect.stringContaining("refuses this token"),
    });
    github.addUser({ id: 12, login: "stranger" });
    const blind = github.issueToken("stranger");
    await expect(changeProjectGitHubToken(deps(), { access: owner, token: blind, ip: null })).rejects.toMatchObject({
      message: expect.stringContaining("cannot read acme/shop"),
    });

    const token = github.issueToken("octo-admin");
    secrets.push(token, revoked, blind);
    expect(await changeProjectGitHubToken(deps(), { access: owner, token, ip: "10.0.0.9" })).toBe(
      "GitHub token saved: it opens acme/shop.",
    );
    const row = await prisma.project.findUniqueOrThrow({ where: { id: projectId }, select: { githubTokenEnc: true } });
    expect(row.githubTokenEnc).not.toContain(token);
    expect(decryptSecret(row.githubTokenEnc!, config.encryptionKey)).toBe(token);
    expect(await readGitHubCredentials(deps(), owner)).toEqual({ repository: "acme/shop", hasToken: true, appName: null });

    const gh = await loadProjectGitHub(deps(), projectId);
    expect(gh).toMatchObject({ via: "token", appProblem: null });
    expect(await checkProjectGitHubCredentials(deps(), owner)).toBe("Slipway reaches acme/shop through the project's GitHub token.");
    // A browser waits on these calls: a secondary limit lifting in a minute is reported, not waited for.
    github.rateLimitNext(1, "secondary", 60);
    const started = Date.now();
    expect(await checkProjectGitHubCredentials(deps(), owner)).toBe(
      "Slipway tried the project's GitHub token, and GitHub answered HTTP 403 for acme/shop.",
    );
    expect(Date.now() - started).toBeLessThan(5000);
    github.rateLimitNext(0);
  });

  it("creates the GitHub App from the panel: admins only, state bound to the admin, code redeemed once, secrets encrypted", async () => {
    expect(() => manifestFormTarget(deps(), developer, "")).toThrow(/administrators/);
    const manifest = JSON.parse(manifestFormTarget(deps(), admin, "").manifest) as Record<string, unknown>;
    expect(manifest).toMatchObject({ public: false, default_permissions: { statuses: "write", administration: "write" } });
    expect(manifestFormTarget(deps(), admin, "acme").action).toMatch(/\/organizations\/acme\/settings\/apps\/new\?state=/);

    const { code, state } = await createAppThroughGitHub(admin);
    await expect(completeAppCreation(deps(), { user: developer, code, state, ip: null })).rejects.toMatchObject({ code: "forbidden" });
    const otherAdmin = { ...admin, id: developer.id };
    await expect(completeAppCreation(deps(), { user: otherAdmin, code, state, ip: null })).rejects.toMatchObject({
      message: expect.stringContaining("could not be verified"),
    });
    await expect(
      completeAppCreation(deps(), { user: admin, code, state: `${Date.now()}.${"A".repeat(43)}`, ip: null }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });

    const created = await completeAppCreation(deps(), { user: admin, code, state, ip: "10.0.0.1" });
    expect(created.name).toMatch(/^Slipway /);
    await expect(completeAppCreation(deps(), { user: admin, code, state, ip: null })).rejects.toMatchObject({ code: "invalid_state" });

    const stored = await prisma.gitHubApp.findUniqueOrThrow({ where: { id: "default" } });
    const onGitHub = github.state.apps.get(stored.appId)!;
    secrets.push(onGitHub.pem, onGitHub.client_secret, ...(onGitHub.webhook_secret ? [onGitHub.webhook_secret] : []));
    expect(decryptSecret(stored.privateKeyEnc, config.encryptionKey)).toBe(onGitHub.pem);
    expect(decryptSecret(stored.clientSecretEnc, config.encryptionKey)).toBe(onGitHub.client_secret);
    expect(JSON.stringify(stored)).not.toContain("PRIVATE KEY");
    expect(await findGitHubAppSummary(prisma)).toMatchObject({ appId: onGitHub.id, ownerLogin: "octo-admin" });

    // Not installed on acme/shop yet: the token still serves, and says why.
    expect(await loadProjectGitHub(deps(), projectId)).toMatchObject({
      via: "token",
      appProblem: "The GitHub App is not installed on acme/shop.",
    });
    const installation = github.installApp(onGitHub.id, "acme", ["acme/shop"]);
    const viaApp = await loadProjectGitHub(deps(), projectId);
    expect(viaApp).toMatchObject({ via: "app", installationId: installation.id });
    expect(await checkProjectGitHubCredentials(deps(), await access(admin))).toBe(
      `Slipway reaches acme/shop through the GitHub App (installation ${installation.id}).`,
    );
    for (const [token, t] of github.state.tokens) if (t.installationId !== undefined) secrets.push(token);
  });

  it("removes the token; forgetting the App is for administrators; the audit log and console hold no secret", async () => {
    const owner = await access(admin);
    expect(await removeProjectGitHubToken(deps(), { access: owner, ip: null })).toBe("GitHub token removed.");
    expect(await readGitHubCredentials(deps(), owner)).toMatchObject({ hasToken: false });
    await expect(forgetGitHubApp(deps(), { user: developer, ip: null })).rejects.toMatchObject({ code: "forbidden" });
    expect(await forgetGitHubApp(deps(), { user: admin, ip: null })).toBe(true);
    expect(await loadProjectGitHub(deps(), projectId)).toEqual({
      via: "none",
      reason: "No GitHub App is set up and the project has no GitHub token.",
    });

    const entries = await prisma.auditEntry.findMany({ orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => e.action)).toEqual([
      "project.github_token.set",
      "github_app.create",
      "project.github_token.remove",
      "github_app.delete",
    ]);
    const audit = JSON.stringify(entries);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      for (const line of consoleLines) expect(line).not.toContain(secret);
    }
    expect(audit).not.toMatch(/PRIVATE KEY|github_pat_|ghs_|gho_/);
  });
});
