import { loadWebConfig } from "@slipway/config";
import { createSessionRepository, getPrisma, insertProject, type Db, type SessionRepository } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGithub, type FakeGithub } from "../../../../../e2e/support/github-double";
import { resolveSession } from "../auth/resolve-session";
import { PEER_ADDRESS_HEADER, SESSION_COOKIE } from "../auth/session-cookie";
import { GITHUB_STATE_COOKIE } from "./oauth-state";
import { cookieFrom, finishGithubLogin, startGithubLogin } from "./routes";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

const publicUrl = "http://127.0.0.1:3999";

/** name=value of a Set-Cookie header of the response. */
function setCookie(response: Response, name: string): string | undefined {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line?.split(";")[0]?.slice(name.length + 1);
}

describe("Sign in with GitHub (OAuth web flow against a fake GitHub, real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let sessions: SessionRepository;
  let github: FakeGithub;
  let deps: Parameters<typeof startGithubLogin>[0];

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    sessions = createSessionRepository({ prisma });
    github = await startFakeGithub();
    github.addUser({ id: 501, login: "dana-dev", name: "Dana Developer" });
    // Members of the configured organisation are admitted: this one is named like the local admin.
    github.addUser({ id: 502, login: "admin", name: "Not the local admin", orgs: ["acme-odoo"] });
    github.addUser({ id: 503, login: "mallory", name: "A stranger", orgs: ["other-org"] });
    github.addUser({ id: 504, login: "olga", name: "Org member", orgs: ["Acme-Odoo"] });
    const config = loadWebConfig({
      ...process.env,
      DATABASE_URL: db.url,
      SLIPWAY_PUBLIC_URL: publicUrl,
      SLIPWAY_GITHUB_CLIENT_ID: github.clientId,
      SLIPWAY_GITHUB_CLIENT_SECRET: github.clientSecret,
      SLIPWAY_GITHUB_OAUTH_URL: github.url,
      SLIPWAY_GITHUB_API_URL: github.url,
      SLIPWAY_GITHUB_ORGS: "acme-odoo",
    });
    deps = { config, prisma, sessions };
    const admin = await prisma.user.create({ data: { login: "admin", isSuperuser: true, passwordHash: "x" } });
    // Dana was added to a project by her GitHub username before her first sign-in (addCollaborator
    // resolves the username to the GitHub id and writes the row).
    const project = await insertProject(prisma, {
      slug: "gh-shop",
      name: "Shop",
      repoUrl: "https://github.com/acme/shop",
      repoKind: "github",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: admin.id,
    });
    const dana = await prisma.user.create({ data: { login: "dana-dev", githubId: "501" } });
    await prisma.collaborator.create({ data: { projectId: project.id, userId: dana.id, role: "developer" } });
  });

  afterAll(async () => {
    await github?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** Browser steps: our start route → GitHub authorize → back to our callback (with or without the state cookie). */
  async function roundTrip(options: { tamperState?: boolean; dropCookie?: boolean } = {}) {
    const start = startGithubLogin(deps);
    expect(start.status).toBe(302);
    const stateCookie = setCookie(start, GITHUB_STATE_COOKIE)!;
    expect(start.headers.getSetCookie().join()).toMatch(/HttpOnly/i);
    const authorize = await fetch(start.headers.get("location")!, { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get("location")!);
    expect(callback.origin + callback.pathname).toBe(`${publicUrl}/api/auth/github/callback`);
    expect(callback.searchParams.get("state")).toBe(stateCookie);
    if (options.tamperState) callback.searchParams.set("state", `${stateCookie.slice(0, -2)}xx`);
    // The connection's address (stamped by the server); a client's X-Forwarded-For is not believed.
    const headers: Record<string, string> = { [PEER_ADDRESS_HEADER]: "10.0.0.9", "x-forwarded-for": "6.6.6.6", "user-agent": "vitest" };
    if (!options.dropCookie) headers.cookie = `${GITHUB_STATE_COOKIE}=${stateCookie}`;
    return finishGithubLogin(deps, new Request(callback, { headers }));
  }

  it("signs a pre-invited collaborator in: state checked, code exchanged, user matched by GitHub id, session like a password login", async () => {
    github.signInAs("dana-dev");
    const done = await roundTrip();
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${publicUrl}/projects`);
    const token = setCookie(done, SESSION_COOKIE);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie(done, GITHUB_STATE_COOKIE)).toBe(""); // state is single-use
    const user = await resolveSession({ sessions, token });
    expect(user).toMatchObject({ login: "dana-dev", name: "Dana Developer", isSuperuser: false });
    const row = await prisma.user.findUniqueOrThrow({ where: { login: "dana-dev" } });
    expect(row).toMatchObject({ githubId: "501", passwordHash: null });
    expect(github.requests).toEqual(expect.arrayContaining(["GET /login/oauth/authorize", "POST /login/oauth/access_token", "GET /user"]));
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "session.github_login", actorId: row.id } });
    expect(audit).toMatchObject({ target: "dana-dev", ip: "10.0.0.9", details: { admittedAs: "collaborator" } });
  });

  it("refuses a GitHub account that is neither a collaborator nor a member of a configured organisation: no user row, no session", async () => {
    const users = await prisma.user.count();
    const sessionsBefore = await prisma.session.count();
    github.signInAs("mallory");
    github.requests.length = 0;
    const refused = await roundTrip();
    const location = new URL(refused.headers.get("location")!);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("error")).toBe(
      "The GitHub account mallory has no access to this Slipway: ask a project admin to add you as a collaborator or become a member of acme-odoo on GitHub.",
    );
    expect(setCookie(refused, SESSION_COOKIE)).toBeUndefined();
    expect(await prisma.user.count()).toBe(users);
    expect(await prisma.session.count()).toBe(sessionsBefore);
    // The membership was asked with the user's own token, for the configured organisation only.
    expect(github.requests).toContain("GET /user/memberships/orgs/acme-odoo");
    expect(github.requests).not.toContain("GET /user/memberships/orgs/other-org");
  });

  it("admits a member of a configured organisation (asking GitHub for read:org), creating the user at first sign-in", async () => {
    const start = startGithubLogin(deps);
    expect(new URL(start.headers.get("location")!).searchParams.get("scope")).toBe("read:user read:org");
    github.signInAs("olga");
    const done = await roundTrip();
    const user = await resolveSession({ sessions, token: setCookie(done, SESSION_COOKIE) });
    expect(user).toMatchObject({ login: "olga", isSuperuser: false });
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "session.github_login", target: "olga" } });
    expect(audit.details).toMatchObject({ admittedAs: "organisation", organisation: "acme-odoo" });
    // Without configured organisations only read:user is asked.
    const plain = { ...deps, config: { ...deps.config, github: { ...deps.config.github, organisations: [] } } };
    expect(new URL(startGithubLogin(plain).headers.get("location")!).searchParams.get("scope")).toBe("read:user");
  });

  it("follows a rename on GitHub: same GitHub id, same user row", async () => {
    const before = await prisma.user.findUniqueOrThrow({ where: { githubId: "501" } });
    github.addUser({ id: 501, login: "dana-renamed", name: "Dana" });
    github.signInAs("dana-renamed");
    const done = await roundTrip();
    const user = await resolveSession({ sessions, token: setCookie(done, SESSION_COOKIE) });
    expect(user).toMatchObject({ id: before.id, login: "dana-renamed" });
  });

  it("refuses a wrong or missing state: no code exchanged, no session", async () => {
    const sessionsBefore = await prisma.session.count();
    github.signInAs("dana-renamed");
    github.requests.length = 0;
    for (const attempt of [{ tamperState: true }, { dropCookie: true }]) {
      const refused = await roundTrip(attempt);
      expect(refused.status).toBe(303);
      const location = new URL(refused.headers.get("location")!);
      expect(location.pathname).toBe("/login");
      expect(location.searchParams.get("error")).toMatch(/could not be verified/);
      expect(setCookie(refused, SESSION_COOKIE)).toBeUndefined();
    }
    expect(github.requests).not.toContain("POST /login/oauth/access_token");
    expect(await prisma.session.count()).toBe(sessionsBefore);
  });

  it("never lets a GitHub account take over the local admin's login", async () => {
    github.signInAs("admin");
    const refused = await roundTrip();
    expect(new URL(refused.headers.get("location")!).searchParams.get("error")).toMatch(/belongs to a local account/);
    expect(setCookie(refused, SESSION_COOKIE)).toBeUndefined();
    expect(await prisma.user.findUniqueOrThrow({ where: { login: "admin" } })).toMatchObject({ githubId: null, isSuperuser: true });
  });

  it("answers 404 when GitHub sign-in is not configured", async () => {
    const off = { ...deps, config: { ...deps.config, github: { oauthUrl: github.url, apiUrl: github.url, organisations: [] } } };
    expect(startGithubLogin(off).status).toBe(404);
    expect(cookieFrom("a=1; b=two%20words", "b")).toBe("two words");
  });
});
