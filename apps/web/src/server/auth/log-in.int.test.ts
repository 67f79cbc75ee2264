import { randomBytes } from "node:crypto";
import { createPrismaClient, createSessionRepository, createUserRepository, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalAdmin } from "./ensure-local-admin";
import { INVALID_CREDENTIALS_MESSAGE, logIn } from "./log-in";
import { logOut } from "./log-out";
import { createRedisLoginFailureStore, type LoginFailureStore } from "./login-failure-store";
import { hashSessionToken } from "./session-policy";
import { resolveSession } from "./resolve-session";

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

const policy = { freeAttempts: 5, addressFreeAttempts: 20, baseDelayMs: 15 * 60_000, maxDelayMs: 15 * 60_000, windowMs: 60 * 60_000 };

describe("local admin bootstrap and password login (real PostgreSQL and Redis)", () => {
  const prefix = `slipway-test:login:${randomBytes(6).toString("hex")}`;
  let db: TemporaryDatabase;
  let prisma: Db;
  let redis: Redis;
  let failures: LoginFailureStore;
  let users: ReturnType<typeof createUserRepository>;
  let sessions: ReturnType<typeof createSessionRepository>;

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    users = createUserRepository({ prisma });
    sessions = createSessionRepository({ prisma });
    redis = new Redis(redisUrl);
    failures = createRedisLoginFailureStore({ redis, prefix });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const attempt = (login: string, password: string, ip = "198.51.100.1") =>
    logIn({ users, sessions, failures, policy, login, password, ip, userAgent: "vitest" });

  it("creates the admin on first start with a generated password, and never changes it afterwards", async () => {
    const first = await ensureLocalAdmin({ users, login: "admin" });
    expect(first.created).toBe(true);
    const generated = first.created ? first.generatedPassword : undefined;
    expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const stored = await prisma.user.findUniqueOrThrow({ where: { login: "admin" } });
    expect(stored.isSuperuser).toBe(true);
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(generated!);

    // A restart, even with a configured password, leaves the account alone.
    expect(await ensureLocalAdmin({ users, login: "admin", password: "another-password" })).toEqual({ created: false, login: "admin" });
    expect((await prisma.user.findUniqueOrThrow({ where: { login: "admin" } })).passwordHash).toBe(stored.passwordHash);

    expect((await attempt("admin", generated!)).ok).toBe(true);
    expect((await attempt("admin", "another-password")).ok).toBe(false);
  });

  it("uses the configured password when one is given", async () => {
    const result = await ensureLocalAdmin({ users, login: "root", password: "configured-pw" });
    expect(result).toEqual({ created: true, login: "root" });
    expect((await attempt("root", "configured-pw")).ok).toBe(true);
  });

  it("creates a session storing only the token's SHA-256, resolvable and revocable", async () => {
    await ensureLocalAdmin({ users, login: "carol", password: "carol-password" });
    const result = await attempt("carol", "carol-password");
    if (!result.ok) throw new Error(result.message);

    const rows = await prisma.session.findMany({ where: { user: { login: "carol" } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashSessionToken(result.token));
    expect(rows[0]!.tokenHash).not.toBe(result.token);
    expect(rows[0]!.expiresAt.toISOString()).toBe(result.expiresAt.toISOString());
    expect(rows[0]).toMatchObject({ ip: "198.51.100.1", userAgent: "vitest", revokedAt: null });
    const idleMs = result.expiresAt.getTime() - rows[0]!.createdAt.getTime();
    expect(Math.abs(idleMs - 7 * 24 * 3600_000)).toBeLessThan(5_000);

    expect(await resolveSession({ sessions, token: result.token })).toMatchObject({ login: "carol" });
    expect(await logOut({ sessions, token: result.token })).toBe(true);
    expect(await resolveSession({ sessions, token: result.token })).toBeNull();
    expect((await prisma.session.findUniqueOrThrow({ where: { id: rows[0]!.id } })).revokedAt).not.toBeNull();
  });

  it("slides the session expiry on activity", async () => {
    await ensureLocalAdmin({ users, login: "dan", password: "dan-password" });
    const result = await attempt("dan", "dan-password");
    if (!result.ok) throw new Error(result.message);
    const inTwoDays = new Date(Date.now() + 2 * 24 * 3600_000);
    expect(await resolveSession({ sessions, token: result.token, now: inTwoDays })).toMatchObject({ login: "dan" });
    const row = await prisma.session.findFirstOrThrow({ where: { user: { login: "dan" } } });
    expect(row.lastSeenAt.toISOString()).toBe(inTwoDays.toISOString());
    expect(row.expiresAt.getTime()).toBe(inTwoDays.getTime() + 7 * 24 * 3600_000);
  });

  it("rejects wrong passwords and unknown logins alike, without creating a session", async () => {
    await ensureLocalAdmin({ users, login: "erin", password: "erin-password" });
    const before = await prisma.session.count();
    for (const [login, password] of [
      ["erin", "wrong"],
      ["nobody", "erin-password"],
      ["ERIN", "erin-password"],
    ] as const) {
      expect(await attempt(login, password, "198.51.100.20")).toEqual({
        ok: false,
        reason: "invalid_credentials",
        message: INVALID_CREDENTIALS_MESSAGE,
      });
    }
    expect(await prisma.session.count()).toBe(before);
  });

  it("throttles a login guessed from one address, but never locks its owner out from another (issue 12, M2)", async () => {
    await ensureLocalAdmin({ users, login: "frank", password: "frank-password" });
    const stranger = "203.0.113.9";
    for (let i = 0; i < 5; i++) {
      expect(await attempt("frank", `guess-${i}`, stranger)).toMatchObject({ ok: false, reason: "invalid_credentials" });
    }
    const before = await prisma.session.count();
    const locked = await attempt("Frank", "frank-password", stranger);
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    expect(locked.ok ? "" : locked.message).toMatch(/Wait 15 minutes before trying again/);
    expect(await prisma.session.count()).toBe(before);
    // The owner, elsewhere, signs in at once.
    expect((await attempt("frank", "frank-password", "198.51.100.77")).ok).toBe(true);
  });

  it("counts 30 parallel guesses one by one: only the free attempts reach the password check (issue 12, M2)", async () => {
    await ensureLocalAdmin({ users, login: "ivy", password: "ivy-password" });
    let checked = 0;
    const counting = { ...users, findCredentialsByLogin: async (q: { login: string }) => (checked++, users.findCredentialsByLogin(q)) };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        logIn({ users: counting, sessions, failures, policy, login: "ivy", password: `guess-${i}`, ip: "203.0.113.30" }),
      ),
    );
    expect(results.filter((r) => !r.ok && r.reason === "invalid_credentials")).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.reason === "locked")).toHaveLength(25);
    expect(checked).toBe(5);
  });

  it("slows an address trying many logins; a success first gives its attempt back", async () => {
    await ensureLocalAdmin({ users, login: "gina", password: "gina-password" });
    const ip = "203.0.113.200";
    for (let i = 0; i < 18; i++) expect((await attempt(`someone-${i}`, "x", ip)).ok).toBe(false);
    expect((await attempt("gina", "gina-password", ip)).ok).toBe(true);
    for (const login of ["someone-else-1", "someone-else-2"])
      expect(await attempt(login, "x", ip)).toMatchObject({ reason: "invalid_credentials" });
    expect(await attempt("gina", "gina-password", ip)).toMatchObject({ ok: false, reason: "locked" });
    expect((await attempt("gina", "gina-password", "203.0.113.201")).ok).toBe(true);
  });

  it("refuses disabled accounts", async () => {
    await ensureLocalAdmin({ users, login: "hal", password: "hal-password" });
    await prisma.user.update({ where: { login: "hal" }, data: { disabledAt: new Date() } });
    expect(await attempt("hal", "hal-password", "198.51.100.30")).toMatchObject({ ok: false, reason: "invalid_credentials" });
  });
});
