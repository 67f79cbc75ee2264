// Throw-away control-plane databases for integration tests of every package.
//
// Running `prisma migrate deploy` per test file would cost seconds each time, so the migrations are
// applied once into a template database named after a hash of prisma/migrations; every temporary
// database is then a cheap `CREATE DATABASE … TEMPLATE` copy. Safe across processes: the template
// is built under an advisory lock, in a scratch database that is renamed only once complete.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

export type TemporaryDatabase = {
  /** Connection URL of the new database (same server, role and options as adminUrl). */
  url: string;
  /** Drops the database, disconnecting any remaining session. Idempotent. */
  drop(): Promise<void>;
};

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const TEMPLATE_PREFIX = "slipway_tpl_";
const TEST_PREFIX = "slipway_test_";
/** Test databases older than this are leftovers of killed runs (a dev session lasts < 3 h). */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

const templates = new Map<string, Promise<string>>();

/**
 * Creates a uniquely named database with all migrations applied, on the server of `adminUrl`
 * (a role with CREATEDB, e.g. DATABASE_URL of the dev services).
 */
export async function createTemporaryDatabase(options: { adminUrl: string }): Promise<TemporaryDatabase> {
  const { adminUrl } = options;
  const template = await ensureTemplate(adminUrl);
  const name = `${TEST_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`));
  let dropped = false;
  return {
    url: databaseUrl(adminUrl, name),
    async drop() {
      if (dropped) return;
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
      dropped = true;
    },
  };
}

/** sha256 of every migration file (names and contents): a new migration means a new template. */
export function migrationsHash(): string {
  const hash = createHash("sha256");
  const entries = readdirSync(migrationsDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const file = entry.isDirectory() ? path.join(migrationsDir, entry.name, "migration.sql") : path.join(migrationsDir, entry.name);
    if (!existsSync(file)) continue;
    hash.update(`${entry.name}\0`).update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

function ensureTemplate(adminUrl: string): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${migrationsHash().slice(0, 16)}`;
  const key = `${serverKey(adminUrl)} ${name}`;
  let pending = templates.get(key);
  if (!pending) {
    pending = buildTemplate(adminUrl, name);
    templates.set(key, pending);
    pending.catch(() => templates.delete(key)); // let a later call retry
  }
  return pending;
}

async function buildTemplate(adminUrl: string, name: string): Promise<string> {
  await withAdminClient(adminUrl, async (client) => {
    // Session-level lock: released on disconnect, so a killed run cannot leave it held.
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
    try {
      if (await databaseExists(client, name)) return;
      const scratch = `${name}_build_${randomBytes(4).toString("hex")}`;
      await client.query(`CREATE DATABASE ${ident(scratch)}`);
      try {
        await migrateDeploy(databaseUrl(adminUrl, scratch));
        await client.query(`ALTER DATABASE ${ident(scratch)} RENAME TO ${ident(name)}`);
      } catch (error) {
        await client.query(`DROP DATABASE IF EXISTS ${ident(scratch)} WITH (FORCE)`);
        throw error;
      }
      await dropLeftovers(client, name);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [name]);
    }
  });
  return name;
}

/** The real `prisma migrate deploy` (offline through the engine shim of prisma.config.ts). */
async function migrateDeploy(url: string): Promise<void> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  try {
    await promisify(execFile)(process.execPath, [cli, "migrate", "deploy"], {
      cwd: repoRoot,
      // Not configuration: the child needs the environment as is (PATH finds node for the shim).
      // eslint-disable-next-line no-restricted-syntax
      env: { ...process.env, DATABASE_URL: url },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed for the test template:\n${stdout}${stderr}`, { cause: error });
  }
}

/** Best effort: templates of older migrations and test databases of killed runs. */
async function dropLeftovers(client: pg.Client, currentTemplate: string): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)",
    [TEMPLATE_PREFIX, TEST_PREFIX],
  );
  for (const { datname } of rows) {
    if (datname === currentTemplate || !isLeftover(datname)) continue;
    // Another run may be copying an old template right now: then DROP fails, and that is fine.
    await client.query(`DROP DATABASE IF EXISTS ${ident(datname)}`).catch(() => undefined);
  }
}

function isLeftover(name: string): boolean {
  // A "_build_" database may be another run's template in the making (it holds no lock we share).
  if (name.startsWith(TEMPLATE_PREFIX)) return !name.includes("_build_");
  const created = Number.parseInt(name.slice(TEST_PREFIX.length).split("_")[0] ?? "", 36);
  return Number.isFinite(created) && Date.now() - created > STALE_AFTER_MS;
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rowCount === 1;
}

async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function serverKey(adminUrl: string): string {
  const url = new URL(adminUrl);
  return `${url.username}@${url.host}`;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
