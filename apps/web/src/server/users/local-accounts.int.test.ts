import { randomBytes } from "node:crypto";
import {
  createPrismaClient,
  createSessionRepository,
  createUserRepository,
  insertProject,
  listCollaborators,
  listUserAuditEntries,
  listUsers,
  type Db,
} from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGithub, type FakeGithub } from "../../../../../e2e/support/github-double";
import { loadProjectAccess } from "../access";
import { logIn } from "../auth/log-in";
import { createRedisLoginFailureStore, type LoginFailureStore } from "../auth/login-failure-store";
import { generateSessionToken, hashSessionToken } from "../auth/session-policy";
import { addCollaborator } from "../collaborators/manage-collaborators";
import { acceptInvite, changeUserDisabled, createLocalUser, INVITE_TTL_MS, inviteLocalUser, readInvite } from "./manage-users";

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

const policy = { freeAttempts: 5, addressFreeAttempts: 20, baseDelayMs: 15 * 60_000, maxDelayMs: 15 * 60_000, windowMs: 60 * 60_000 };
// A port nothing listens on: GitHub "cannot be reached".
const unreachableGithub = "http://127.0.0.1:9";

describe("local accounts: users, invite links, local collaborators (real PostgreSQL and Redis)", () => {
  const prefix = `slipway-test:accounts:${randomBytes(6).toString("hex")}`;
  let db: TemporaryDatabase;
  let prisma: Db;
  let redis: Redis;
  let failures: LoginFailureStore;
  let github: FakeGithub;
  let root: { id: string; isSuperuser: true };
  let projectId: string;
  const deps = () => ({ prisma });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    redis = new Redis(redisUrl);
    failures = createRedisLoginFailureStore({ redis, prefix });
    github = await startFakeGithub();
    github.addUser({ id: 8101, login: "gitta", name: "Gitta Hub" });
    const admin = await prisma.user.create({ data: { login: "admin", isSuperuser: true } });
    root = { id: admin.id, isSuperuser: true };
    ({ id: projectId } = await insertProject(prisma, {
      slug: "local-shop",
      name: "Local shop",
      repoUrl: "/srv/git/l.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: admin.id,
    }));
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await github?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const signIn = (login: string, password: string) =>
    logIn({
      users: createUserRepository({ prisma }),
      sessions: createSessionRepository({ prisma }),
      failures,
      policy,
      login,
      password,
      ip: `198.51.100.${Math.floor(Math.random() * 200) + 1}`,
    });
  const auditOf = (target: string) =>
    prisma.auditEntry.findMany({ where: { target }, orderBy: { createdAt: "asc" }, select: { action: true, actorId: true, ip: true } });

  it("lets a superuser create a local user with a password, who can then sign in; audited", async () => {
    const created = await createLocalUser(deps(), {
      actor: root,
      input: { login: "lena", name: " Lena Local ", email: "lena@example.test", mode: "password", password: "lena-password-1" },
      ip: "10.2.0.1",
    });
    expect(created).toEqual({ id: expect.any(String), login: "lena" });
    const row = await prisma.user.findUniqueOrThrow({ where: { login: "lena" } });
    expect(row).toMatchObject({ name: "Lena Local", email: "lena@example.test", githubId: null, isSuperuser: false, disabledAt: null });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain("lena-password-1");
    expect(await signIn("lena", "lena-password-1")).toMatchObject({ ok: true, userId: created.id });
    expect(await signIn("lena", "wrong-password")).toMatchObject({ ok: false, reason: "invalid_credentials" });
    expect(await auditOf("lena")).toEqual([{ action: "user.create", actorId: root.id, ip: "10.2.0.1" }]);
    const listed = (await listUsers(prisma, { now: new Date() })).find((u) => u.login === "lena");
    expect(listed).toMatchObject({ hasPassword: true, disabled: false, inviteExpiresAt: null, collaborations: 0 });
  });

  it("refuses non-superusers, bad input and taken logins, writing nothing", async () => {
    const lena = await prisma.user.findUniqueOrThrow({ where: { login: "lena" } });
    const input = { login: "mallory", name: "", email: "", mode: "password", password: "mallory-password" };
    await expect(createLocalUser(deps(), { actor: { id: lena.id, isSuperuser: false }, input })).rejects.toMatchObject({
      code: "forbidden",
      message: "Only platform administrators (superusers) may manage users.",
    });
    await expect(createLocalUser(deps(), { actor: null, input })).rejects.toMatchObject({ code: "forbidden" });
    await prisma.user.create({ data: { login: "Ghina", githubId: "8200" } });
    const refusals: [Record<string, unknown>, string][] = [
      [{ login: "Bad Login" }, "The login may use lowercase letters, digits and . _ - (starting and ending with a letter or digit)."],
      [{ login: "x" }, "The login needs at least 2 characters."],
      [{ password: "short" }, "The password needs at least 10 characters."],
      [{ email: "not-an-address" }, "Enter a valid e-mail address, or leave it empty."],
      [{ mode: "magic" }, "Choose an initial password or an invite link."],
      [{ login: "lena" }, 'The login "lena" is already taken; choose another one.'],
      // Another case of an existing (GitHub) login is the same person to everyone reading a list.
      [{ login: "ghina" }, 'The login "ghina" is already taken; choose another one.'],
    ];
    for (const [change, message] of refusals) {
      await expect(createLocalUser(deps(), { actor: root, input: { ...input, ...change } }), JSON.stringify(change)).rejects.toThrow(
        message,
      );
    }
    await expect(createLocalUser(deps(), { actor: root, input: { ...input, login: "admin" } })).rejects.toMatchObject({ code: "conflict" });
    expect(await prisma.user.count({ where: { login: "mallory" } })).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: "user.create" } })).toBe(1);
  });

  it("invites by a one-time link: hashed, sets the password once, then says it was used", async () => {
    const created = await createLocalUser(deps(), { actor: root, input: { login: "ivy", name: "Ivy", email: "", mode: "invite" } });
    const token = created.invite!.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await prisma.user.findUniqueOrThrow({ where: { login: "ivy" }, include: { invites: true } });
    expect(row.passwordHash).toBeNull();
    expect(row.invites).toHaveLength(1);
    expect(row.invites[0]!.tokenHash).not.toContain(token);
    expect(row.invites[0]!.expiresAt.getTime() - row.invites[0]!.createdAt.getTime()).toBeGreaterThan(INVITE_TTL_MS - 60_000);
    // No password yet: nothing to sign in with.
    expect(await signIn("ivy", "")).toMatchObject({ ok: false });
    expect(await readInvite(deps(), { token })).toMatchObject({ kind: "valid", login: "ivy" });

    await expect(acceptInvite(deps(), { token, password: "ivy-password-1", confirm: "ivy-password-2" })).rejects.toThrow(
      "The two passwords differ.",
    );
    await expect(acceptInvite(deps(), { token, password: "short", confirm: "short" })).rejects.toThrow("at least 10 characters");
    // Two submissions of the same link at once: one wins.
    const both = await Promise.allSettled([
      acceptInvite(deps(), { token, password: "ivy-password-1", confirm: "ivy-password-1", ip: "10.2.0.9" }),
      acceptInvite(deps(), { token, password: "ivy-password-X", confirm: "ivy-password-X" }),
    ]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const winner = both[0]!.status === "fulfilled" ? "ivy-password-1" : "ivy-password-X";
    expect(await signIn("ivy", winner)).toMatchObject({ ok: true, userId: created.id });

    await expect(acceptInvite(deps(), { token, password: "ivy-password-2", confirm: "ivy-password-2" })).rejects.toMatchObject({
      code: "invalid_state",
      message: "This invite link has already been used. Sign in with your password, or ask an administrator for a new link.",
    });
    expect(await readInvite(deps(), { token })).toEqual({ kind: "used" });
    expect(await readInvite(deps(), { token: "x".repeat(43) })).toEqual({ kind: "unknown" });
    await expect(acceptInvite(deps(), { token: "nope", password: "ivy-password-2", confirm: "ivy-password-2" })).rejects.toMatchObject({
      code: "not_found",
    });
    expect((await auditOf("ivy")).map((e) => e.action)).toEqual(["user.create", "user.invite_accepted"]);
  });

  it("expires invite links, and a new link replaces the earlier one", async () => {
    const { invite } = await createLocalUser(deps(), { actor: root, input: { login: "exa", name: "", email: "", mode: "invite" } });
    const later = () => new Date(Date.now() + INVITE_TTL_MS + 60_000);
    expect(await readInvite({ prisma, now: later }, { token: invite!.token })).toEqual({ kind: "expired" });
    await expect(
      acceptInvite({ prisma, now: later }, { token: invite!.token, password: "exa-password-1", confirm: "exa-password-1" }),
    ).rejects.toThrow("This invite link has expired. Ask an administrator for a new link.");

    const user = await prisma.user.findUniqueOrThrow({ where: { login: "exa" } });
    const fresh = await inviteLocalUser(deps(), { actor: root, userId: user.id });
    expect(await readInvite(deps(), { token: invite!.token })).toEqual({ kind: "expired" });
    await acceptInvite(deps(), { token: fresh.token, password: "exa-password-1", confirm: "exa-password-1" });
    expect(await signIn("exa", "exa-password-1")).toMatchObject({ ok: true });
    // GitHub users sign in with GitHub: no links for them.
    const gh = await prisma.user.create({ data: { login: "ghost", githubId: "8999" } });
    await expect(inviteLocalUser(deps(), { actor: root, userId: gh.id })).rejects.toMatchObject({ code: "invalid_state" });
  });

  it("disables a user: sessions end, sign-in fails, and the superuser cannot disable themself", async () => {
    const lena = await prisma.user.findUniqueOrThrow({ where: { login: "lena" } });
    const token = generateSessionToken();
    const sessions = createSessionRepository({ prisma });
    await sessions.create({ tokenHash: hashSessionToken(token), userId: lena.id, expiresAt: new Date(Date.now() + 60_000) });
    expect(await changeUserDisabled(deps(), { actor: root, userId: lena.id, disabled: true })).toEqual({ login: "lena", changed: true });
    expect(await sessions.findActive({ tokenHash: hashSessionToken(token), now: new Date() })).toBeNull();
    expect(await prisma.session.count({ where: { userId: lena.id, revokedAt: null } })).toBe(0);
    expect(await signIn("lena", "lena-password-1")).toMatchObject({ ok: false, reason: "invalid_credentials" });
    await expect(changeUserDisabled(deps(), { actor: root, userId: root.id, disabled: true })).rejects.toThrow(
      "You cannot disable your own account.",
    );
    await expect(
      changeUserDisabled(deps(), { actor: { id: lena.id, isSuperuser: false }, userId: lena.id, disabled: false }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
    await changeUserDisabled(deps(), { actor: root, userId: lena.id, disabled: false });
    expect(await signIn("lena", "lena-password-1")).toMatchObject({ ok: true });
    expect((await auditOf("lena")).map((e) => e.action)).toEqual(["user.create", "user.disable", "user.enable"]);
    // The Users page lists these platform-wide entries (they belong to no project).
    const changes = await listUserAuditEntries(prisma, { limit: 2 });
    expect(changes.map((c) => `${c.action} ${c.target} by ${c.actor?.login}`)).toEqual([
      "user.enable lena by admin",
      "user.disable lena by admin",
    ]);
  });

  describe("collaborators", () => {
    const access = () => loadProjectAccess({ prisma, user: root, slug: "local-shop" });
    const team = async () => (await listCollaborators(prisma, { projectId })).map((c) => `${c.user.login}:${c.role}`).sort();

    it("adds a local user by login (found before GitHub, which is not even asked)", async () => {
      const row = await addCollaborator(
        { prisma, githubApiUrl: unreachableGithub },
        { access: await access(), login: " @Lena ", role: "tester" },
      );
      expect(row).toMatchObject({ role: "tester", user: { login: "lena", githubId: null } });
      expect(await team()).toEqual(["admin:admin", "lena:tester"]);
      const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "collaborator.add", target: "lena" } });
      expect(entry.details).toEqual({ role: "tester", local: true });
    });

    it("says what to do when GitHub cannot be reached for a login that is not local", async () => {
      await expect(
        addCollaborator({ prisma, githubApiUrl: unreachableGithub }, { access: await access(), login: "octocat", role: "developer" }),
      ).rejects.toMatchObject({
        code: "upstream_failed",
        message:
          'GitHub could not be reached to look up "octocat", and there is no local user with this login. Retry when GitHub is reachable, or ask a platform administrator to create a local user (Users page) and add that login.',
      });
      await expect(
        addCollaborator({ prisma, githubApiUrl: github.url }, { access: await access(), login: "nobody-at-all" }),
      ).rejects.toThrow('There is no local user or GitHub user named "nobody-at-all".');
      expect(await team()).toEqual(["admin:admin", "lena:tester"]);
    });

    it("adds GitHub users through GitHub, and a known one as stored while GitHub is down", async () => {
      await addCollaborator({ prisma, githubApiUrl: github.url }, { access: await access(), login: "gitta" });
      await prisma.collaborator.deleteMany({ where: { user: { login: "gitta" } } });
      const row = await addCollaborator(
        { prisma, githubApiUrl: unreachableGithub },
        { access: await access(), login: "gitta", role: "admin" },
      );
      expect(row).toMatchObject({ role: "admin", user: { login: "gitta", githubId: "8101" } });
    });

    it("refuses a disabled account", async () => {
      const exa = await prisma.user.findUniqueOrThrow({ where: { login: "exa" } });
      await changeUserDisabled(deps(), { actor: root, userId: exa.id, disabled: true });
      await expect(
        addCollaborator({ prisma, githubApiUrl: unreachableGithub }, { access: await access(), login: "exa" }),
      ).rejects.toMatchObject({
        code: "invalid_state",
      });
    });
  });
});
