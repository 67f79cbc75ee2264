// The migration cycle through the real Prisma CLI, offline: prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY at scripts/prisma-schema-engine-shim.mjs (docs/decisions/0001).
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The schema's own tests sit beside it, on the db layer's side: they may name the generated client.
import { createPrismaClient } from "../packages/db/src/client";
import { Prisma, type PrismaClient } from "../packages/db/src/generated/prisma/client";

const root = fileURLToPath(new URL("..", import.meta.url));
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

// Named like createTemporaryDatabase's databases, so a killed run's leftover is cleaned up too.
const dbName = `slipway_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

type Run = { code: number; output: string };

function run(file: string, args: string[], databaseUrl: string): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: "1" };
    execFile(file, args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
const prisma = (args: string[], databaseUrl = dbUrl) => run(process.execPath, [prismaCli, ...args], databaseUrl);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const migrationNames = readdirSync(path.join(root, "prisma", "migrations"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function expectUniqueViolation(error: unknown): void {
  expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
}

describe("prisma migrations (offline engine shim)", () => {
  let db: PrismaClient | undefined;
  let firstDeploy: Run;

  beforeAll(async () => {
    // The database does not exist yet: `migrate deploy` creates it (engine `cli create-database`).
    firstDeploy = await prisma(["migrate", "deploy"]);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await query(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  });

  it("applies every migration to an empty database with `prisma migrate deploy`", async () => {
    expect(firstDeploy.output).toContain(`database ${dbName} created`);
    expect(firstDeploy.output).toContain("All migrations have been successfully applied.");
    expect(firstDeploy.code).toBe(0);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      dbUrl,
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      const sql = readFileSync(path.join(root, "prisma", "migrations", row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it("has no unmigrated schema changes, and the database matches the schema", async () => {
    const check = await run(process.execPath, [path.join(root, "scripts", "migrate-new.mjs"), "--check"], dbUrl);
    expect(check.output).toContain("Migrations are up to date");
    expect(check.code).toBe(0);
    // Introspects the migrated database (the catalog-column workaround of the shim).
    const drift = await prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "prisma/schema.prisma", "--exit-code"]);
    expect(drift.output).toContain("No difference detected.");
    expect(drift.code).toBe(0);
  });

  it("enforces one production branch per project and one build in progress per branch", async () => {
    db = createPrismaClient(dbUrl);
    const project = await db.project.create({
      data: {
        slug: "acme",
        name: "Acme",
        repoUrl: "/srv/acme.git",
        odooVersion: "17.0",
        odooImage: "odoo:17.0",
        baseDomain: "slipway.localhost",
        webhookSecretEnc: "x",
      },
    });
    const main = await db.branch.create({ data: { projectId: project.id, name: "main", stage: "production", productionSlot: true } });
    const secondProduction = { projectId: project.id, name: "prod2", stage: "production" as const, productionSlot: true };
    expectUniqueViolation(await db.branch.create({ data: secondProduction }).catch((error: unknown) => error));
    // NULL slots never collide: any number of non-production branches.
    await db.branch.create({ data: { projectId: project.id, name: "dev1" } });
    await db.branch.create({ data: { projectId: project.id, name: "dev2" } });

    const build = { projectId: project.id, branchId: main.id, stage: "production" as const, revision: "a".repeat(40) };
    const first = await db.build.create({ data: { ...build, number: 1 } });
    expect(first.inProgressSlot).toBe(true);
    expectUniqueViolation(await db.build.create({ data: { ...build, number: 2 } }).catch((error: unknown) => error));
    await db.build.update({ where: { id: first.id }, data: { state: "running", inProgressSlot: null } });
    await expect(db.build.create({ data: { ...build, number: 3 } })).resolves.toMatchObject({ inProgressSlot: true });
  });

  it("is idempotent: a second `migrate deploy` applies nothing, and `migrate status` is clean", async () => {
    const again = await prisma(["migrate", "deploy"]);
    expect(again.output).toContain("No pending migrations to apply.");
    expect(again.code).toBe(0);
    const [count] = await query<{ n: number }>(dbUrl, 'SELECT count(*)::int AS n FROM "_prisma_migrations"');
    expect(count?.n).toBe(migrationNames.length);
    const status = await prisma(["migrate", "status"]);
    expect(status.output).toContain("Database schema is up to date!");
    expect(status.code).toBe(0);
  });

  it("fails loudly when the database cannot be reached", async () => {
    const unreachable = Object.assign(new URL(adminUrl), { port: "1", pathname: "/nothing" }).toString();
    const result = await prisma(["migrate", "deploy"], unreachable);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/P1001|ECONNREFUSED/);
  });
});
