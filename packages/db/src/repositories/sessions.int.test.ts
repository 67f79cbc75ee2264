import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import { createSessionRepository, type SessionRepository } from "./sessions";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

const minutes = (n: number) => n * 60_000;

describe("session repository", () => {
  let db: TemporaryDatabase;
  let prisma: PrismaClient;
  let sessions: SessionRepository;
  let userId: string;
  const now = new Date("2026-03-01T12:00:00.000Z");

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    sessions = createSessionRepository({ prisma });
    userId = (await prisma.user.create({ data: { login: "alice", name: "Alice" } })).id;
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("finds an active session with its user, and not an expired one", async () => {
    await sessions.create({
      tokenHash: "a".repeat(64),
      userId,
      expiresAt: new Date(now.getTime() + minutes(60)),
      ip: "127.0.0.1",
      userAgent: "test",
    });
    const found = await sessions.findActive({ tokenHash: "a".repeat(64), now });
    expect(found?.user).toEqual({ id: userId, login: "alice", name: "Alice", isSuperuser: false });
    expect(await sessions.findActive({ tokenHash: "a".repeat(64), now: new Date(now.getTime() + minutes(61)) })).toBeNull();
    expect(await sessions.findActive({ tokenHash: "b".repeat(64), now })).toBeNull();
  });

  it("slides the expiry on touch", async () => {
    const { id } = await sessions.create({ tokenHash: "c".repeat(64), userId, expiresAt: new Date(now.getTime() + minutes(10)) });
    const later = new Date(now.getTime() + minutes(9));
    await sessions.touch({ id, lastSeenAt: later, expiresAt: new Date(later.getTime() + minutes(10)) });
    const found = await sessions.findActive({ tokenHash: "c".repeat(64), now: new Date(now.getTime() + minutes(15)) });
    expect(found?.lastSeenAt.toISOString()).toBe(later.toISOString());
  });

  it("revokes once; a revoked session is never found nor revived by touch", async () => {
    const { id } = await sessions.create({ tokenHash: "d".repeat(64), userId, expiresAt: new Date(now.getTime() + minutes(60)) });
    expect(await sessions.revoke({ tokenHash: "d".repeat(64), now })).toBe(true);
    expect(await sessions.revoke({ tokenHash: "d".repeat(64), now })).toBe(false);
    await sessions.touch({ id, lastSeenAt: now, expiresAt: new Date(now.getTime() + minutes(120)) });
    expect(await sessions.findActive({ tokenHash: "d".repeat(64), now })).toBeNull();
    const row = await prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.revokedAt?.toISOString()).toBe(now.toISOString());
  });

  it("ignores sessions of disabled users", async () => {
    const bob = await prisma.user.create({ data: { login: "bob", disabledAt: now } });
    await sessions.create({ tokenHash: "e".repeat(64), userId: bob.id, expiresAt: new Date(now.getTime() + minutes(60)) });
    expect(await sessions.findActive({ tokenHash: "e".repeat(64), now })).toBeNull();
  });
});
