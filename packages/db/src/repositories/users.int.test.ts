import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../client";
import type { PrismaClient } from "../generated/prisma/client";
import { createTemporaryDatabase, type TemporaryDatabase } from "../testing";
import { createUserRepository, type UserRepository } from "./users";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("user repository", () => {
  let db: TemporaryDatabase;
  let prisma: PrismaClient;
  let users: UserRepository;

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = createPrismaClient(db.url);
    users = createUserRepository({ prisma });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("creates the local admin once and never changes an existing one", async () => {
    const first = await users.createLocalAdminIfMissing({ login: "admin", passwordHash: "hash-1" });
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ login: "admin", isSuperuser: true });
    expect(first.user).not.toHaveProperty("passwordHash");

    const second = await users.createLocalAdminIfMissing({ login: "admin", passwordHash: "hash-2" });
    expect(second).toEqual({ created: false, user: first.user });
    expect(await users.findCredentialsByLogin({ login: "admin" })).toMatchObject({ passwordHash: "hash-1", disabled: false });
  });

  it("lets exactly one of several concurrent creations win", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => users.createLocalAdminIfMissing({ login: "racer", passwordHash: `hash-${n}` })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(await prisma.user.count({ where: { login: "racer" } })).toBe(1);
  });

  it("finds users by exact login and by id, and reports disabled accounts", async () => {
    const created = await prisma.user.create({ data: { login: "dev1", passwordHash: "h", disabledAt: new Date() } });
    expect(await users.findCredentialsByLogin({ login: "DEV1" })).toBeNull();
    expect(await users.findCredentialsByLogin({ login: "dev1" })).toMatchObject({ id: created.id, disabled: true, isSuperuser: false });
    expect(await users.findById({ id: created.id })).toEqual({ id: created.id, login: "dev1", name: null, isSuperuser: false });
    expect(await users.findById({ id: "00000000-0000-0000-0000-000000000000" })).toBeNull();
  });
});
