// Operations on the Odoo databases of the managed server, as its dedicated role (which owns every
// database it created: enough to drop, copy and terminate its own sessions without superuser).
import pg from "pg";
import { DomainError } from "@slipway/domain";
import { connParams, type ManagedPostgres } from "./managed-postgres";

const SYSTEM_DATABASES = new Set(["postgres", "template0", "template1"]);

/** Odoo database names: letters, digits, `_`, `-`, `.` (Odoo's own rule), at most 63 bytes. */
export function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name) || SYSTEM_DATABASES.has(name)) {
    throw new DomainError("invalid_input", `invalid Odoo database name: ${JSON.stringify(name)}`);
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `fn` with a client on `database` (the maintenance database by default), always closed. */
export async function withClient<T>(
  options: { pg: ManagedPostgres; database?: string },
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...connParams(options.pg, options.database ?? "postgres"), connectionTimeoutMillis: 5_000 });
  // A session terminated by the server (drop/copy elsewhere) must not crash the worker.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const code = (error as { code?: string }).code;
    if (code === "3D000") throw new DomainError("not_found", `database ${options.database} does not exist`, { cause: error });
    throw new DomainError("upstream_failed", `cannot connect to the Odoo PostgreSQL server: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function listDatabases(options: { pg: ManagedPostgres }): Promise<string[]> {
  return withClient(options, async (c) => {
    const res = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname",
    );
    return res.rows.map((r) => r.datname);
  });
}

export async function databaseExists(options: { pg: ManagedPostgres; name: string }): Promise<boolean> {
  return withClient(options, async (c) => {
    const res = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [options.name]);
    return res.rowCount === 1;
  });
}

/** Size in bytes; not_found when the database does not exist. */
export async function databaseSize(options: { pg: ManagedPostgres; name: string }): Promise<number> {
  return withClient(options, async (c) => {
    const res = await c.query<{ size: string | null }>(
      "SELECT pg_database_size(datname)::text AS size FROM pg_database WHERE datname = $1",
      [options.name],
    );
    const size = res.rows[0]?.size;
    if (size == null) throw new DomainError("not_found", `database ${options.name} does not exist`);
    return Number(size);
  });
}

async function terminateSessions(c: pg.Client, name: string): Promise<number> {
  const res = await c.query(
    // Only client sessions: autovacuum workers belong to the superuser and may not be terminated
    // by the Odoo role (PostgreSQL 15 raises an error); they give way to DROP/TEMPLATE by themselves.
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    [name],
  );
  return res.rowCount ?? 0;
}

/** Drops a database after closing its sessions; a missing database is fine. */
export async function dropDatabase(options: { pg: ManagedPostgres; name: string }): Promise<void> {
  assertDatabaseName(options.name);
  await withClient(options, async (c) => {
    // Plain DROP (not WITH (FORCE), which also tries to terminate the superuser's autovacuum
    // workers and fails for the Odoo role): DROP cancels autovacuum itself. A client that
    // reconnected in between is terminated again and the drop retried.
    for (let attempt = 1; ; attempt++) {
      await terminateSessions(c, options.name);
      try {
        await c.query(`DROP DATABASE IF EXISTS ${ident(options.name)}`);
        return;
      } catch (error) {
        // 55006: object_in_use (a session came back).
        if ((error as { code?: string }).code !== "55006" || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
}

/**
 * Copies a database with `CREATE DATABASE … TEMPLATE` (file-level copy, fast). The source must
 * have no session: they are terminated first, and the copy is retried while a client (a running
 * Odoo) reconnects in between. The filestore is not in PostgreSQL: copying it is the caller's job.
 */
export async function copyDatabase(options: { pg: ManagedPostgres; source: string; target: string; attempts?: number }): Promise<void> {
  assertDatabaseName(options.source);
  assertDatabaseName(options.target);
  await withClient(options, async (c) => {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      await terminateSessions(c, options.source);
      try {
        await c.query(`CREATE DATABASE ${ident(options.target)} WITH TEMPLATE ${ident(options.source)} OWNER ${ident(options.pg.user)}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "42P04") throw new DomainError("conflict", `database ${options.target} already exists`, { cause: error });
        if (code === "3D000") throw new DomainError("not_found", `database ${options.source} does not exist`, { cause: error });
        // 55006: source database is being accessed by other users.
        if (code !== "55006" || attempt >= attempts) {
          throw new DomainError("upstream_failed", `copy ${options.source} → ${options.target} failed: ${(error as Error).message}`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });
}

/** One query on one Odoo database (verification, neutralization checks, tests). */
export async function queryDatabase<R extends pg.QueryResultRow = Record<string, unknown>>(options: {
  pg: ManagedPostgres;
  database: string;
  sql: string;
  params?: unknown[];
}): Promise<R[]> {
  return withClient({ pg: options.pg, database: options.database }, async (c) => (await c.query<R>(options.sql, options.params)).rows);
}
