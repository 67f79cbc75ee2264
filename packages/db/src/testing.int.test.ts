import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "./client";
import { createTemporaryDatabase, migrationsHash, type TemporaryDatabase } from "./testing";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const databaseNames = (url: string) => new URL(url).pathname.slice(1);

describe("createTemporaryDatabase", () => {
  const created: TemporaryDatabase[] = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it("creates independent, fully migrated databases, also concurrently", async () => {
    const [a, b] = await Promise.all([createTemporaryDatabase({ adminUrl }), createTemporaryDatabase({ adminUrl })]);
    created.push(a, b);
    expect(a.url).not.toBe(b.url);

    const migrations = await query<{ migration_name: string; finished_at: Date | null }>(
      a.url,
      'SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.migration_name)[0]).toMatch(/^\d{14}_init$/);
    expect(migrations.every((m) => m.finished_at !== null)).toBe(true);

    const prisma = createPrismaClient(a.url);
    try {
      await prisma.user.create({ data: { login: "alice" } });
      expect(await prisma.user.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
    expect(await query(b.url, 'SELECT 1 FROM "User"')).toHaveLength(0);
  });

  it("reuses one template per migrations hash, and drop() removes the database", async () => {
    const before = Date.now();
    const db = await createTemporaryDatabase({ adminUrl });
    expect(Date.now() - before).toBeLessThan(5_000); // a template copy, not a migration run
    const name = databaseNames(db.url);
    const templates = await query<{ datname: string }>(adminUrl, "SELECT datname FROM pg_database WHERE datname = $1", [
      `slipway_tpl_${migrationsHash().slice(0, 16)}`,
    ]);
    expect(templates).toHaveLength(1);

    await db.drop();
    await db.drop(); // idempotent
    expect(await query(adminUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name])).toHaveLength(0);
  });
});
