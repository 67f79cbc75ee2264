// Odoo databases on the managed server, administered by the worker's administration role (ADR
// 0005). The one place that creates, copies, renames and drops them, so that every database gets its
// own role and nobody else's CONNECT.
import pg from "pg";
import { DomainError } from "@slipway/domain";
import { ADMIN_ROLE, REPLICATION_ROLE, dropDatabaseRole, ensureDatabaseRole, roleExists, rolePassword } from "./roles";
import { ident, literal, pgCode, retryWhileInUse } from "./sql";
import type { ManagedPostgres } from "./server";

const RESERVED = new Set(["postgres", "template0", "template1", ADMIN_ROLE, REPLICATION_ROLE]);

/** Odoo database names: letters, digits, `_`, `-`, `.` (Odoo's own rule), at most 63 bytes. */
export function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name) || RESERVED.has(name) || name.startsWith("pg_")) {
    throw new DomainError("invalid_input", `invalid Odoo database name: ${JSON.stringify(name)}`);
  }
}

export function connParams(conn: ManagedPostgres, database: string): pg.ClientConfig {
  return { host: conn.host, port: conn.port, user: conn.admin.user, password: conn.admin.password, database };
}

/** Runs `fn` with an administration client on `database` (the maintenance database by default), always closed. */
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
    if (pgCode(error) === "3D000") throw new DomainError("not_found", `database ${options.database} does not exist`, { cause: error });
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
  return withClient(
    options,
    async (c) => ((await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [options.name])).rowCount ?? 0) === 1,
  );
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

/** One query on one Odoo database, as the administration role (verification, checks, tests). */
export async function queryDatabase<R extends pg.QueryResultRow = Record<string, unknown>>(options: {
  pg: ManagedPostgres;
  database: string;
  sql: string;
  params?: unknown[];
}): Promise<R[]> {
  return withClient({ pg: options.pg, database: options.database }, async (c) => (await c.query<R>(options.sql, options.params)).rows);
}

// Client sessions only: autovacuum workers belong to the superuser and may not be signalled by a
// non-superuser (PostgreSQL raises an error); DROP, TEMPLATE copies and renames stop them by themselves.
async function closeSessions(c: pg.Client, name: string): Promise<void> {
  await c.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    [name],
  );
}

async function lockDown(c: pg.Client, name: string): Promise<void> {
  // Only the owner (and the administration role through it) may connect or create temporary tables.
  await c.query(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
}

/**
 * A new empty UTF-8 database owned by its own role (created or reset), closed to everyone else.
 * Odoo then initialises it (`-i base`: Odoo finds it existing and fills it, as on Odoo.sh).
 */
export async function createDatabase(options: { pg: ManagedPostgres; name: string; collate?: string; ctype?: string }): Promise<void> {
  assertDatabaseName(options.name);
  const collate = options.collate ?? "C";
  const ctype = options.ctype ?? collate;
  await withClient(options, async (c) => {
    await ensureDatabaseRole(c, options.pg, options.name);
    try {
      await c.query(
        `CREATE DATABASE ${ident(options.name)} OWNER ${ident(options.name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE ${literal(collate)} LC_CTYPE ${literal(ctype)}`,
      );
    } catch (error) {
      if (pgCode(error) === "42P04") throw new DomainError("conflict", `database ${options.name} already exists`, { cause: error });
      throw error;
    }
    await lockDown(c, options.name);
  });
}

/** Creates the database unless it exists (its role is reset either way). */
export async function ensureDatabase(options: { pg: ManagedPostgres; name: string }): Promise<{ created: boolean }> {
  try {
    await createDatabase(options);
    return { created: true };
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") {
      await withClient(options, (c) => ensureDatabaseRole(c, options.pg, options.name));
      return { created: false };
    }
    throw error;
  }
}

/**
 * Drops a database after closing its sessions (missing is fine), then its role unless the role
 * still owns something elsewhere (a production role owns its pre-update snapshots). Plain DROP,
 * not WITH (FORCE): that also tries to terminate autovacuum workers and fails for a non-superuser.
 */
export async function dropDatabase(options: { pg: ManagedPostgres; name: string }): Promise<void> {
  assertDatabaseName(options.name);
  await withClient(options, async (c) => {
    await retryWhileInUse(async () => {
      await closeSessions(c, options.name);
      await c.query(`DROP DATABASE IF EXISTS ${ident(options.name)}`);
    });
    await dropDatabaseRole(c, options.name);
  });
}

/**
 * `CREATE DATABASE target TEMPLATE source` (a file-level copy). The copy keeps the source's owner
 * and objects' owners: it is a snapshot of the same tenant (pre-update snapshots, staging sources),
 * reachable by nobody but the administration role until it is renamed back or adopted. The source
 * must have no session: they are closed, and the copy retried while a client reconnects.
 */
export async function copyDatabase(options: { pg: ManagedPostgres; source: string; target: string; attempts?: number }): Promise<void> {
  assertDatabaseName(options.source);
  assertDatabaseName(options.target);
  await withClient(options, async (c) => {
    const owner = await c.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [
      options.source,
    ]);
    if (owner.rowCount === 0) throw new DomainError("not_found", `database ${options.source} does not exist`);
    try {
      await retryWhileInUse(
        async () => {
          await closeSessions(c, options.source);
          await c.query(
            `CREATE DATABASE ${ident(options.target)} WITH TEMPLATE ${ident(options.source)} OWNER ${ident(owner.rows[0]!.owner)}`,
          );
        },
        { attempts: options.attempts ?? 10, delayMs: 200 },
      );
    } catch (error) {
      if (pgCode(error) === "42P04") throw new DomainError("conflict", `database ${options.target} already exists`, { cause: error });
      if (pgCode(error) === "3D000") throw new DomainError("not_found", `database ${options.source} does not exist`, { cause: error });
      throw new DomainError("upstream_failed", `copy ${options.source} → ${options.target} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await lockDown(c, options.target);
  });
}

/**
 * Renames a database after closing its sessions. When the database is owned by the role of its
 * old name (its own), that role is renamed with it and given the new name's password, so the
 * database keeps a role of its own name; a snapshot owned by its origin's role keeps that owner.
 */
export async function renameDatabase(options: { pg: ManagedPostgres; from: string; to: string }): Promise<void> {
  assertDatabaseName(options.from);
  assertDatabaseName(options.to);
  await withClient(options, async (c) => {
    try {
      await retryWhileInUse(async () => {
        await closeSessions(c, options.from);
        await c.query(`ALTER DATABASE ${ident(options.from)} RENAME TO ${ident(options.to)}`);
      });
    } catch (error) {
      throw new DomainError("upstream_failed", `rename of database ${options.from} to ${options.to} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const owner = (
      await c.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [options.to])
    ).rows[0]?.owner;
    if (owner === options.from && !(await roleExists(c, options.to))) {
      await c.query(`ALTER ROLE ${ident(options.from)} RENAME TO ${ident(options.to)}`);
      await c.query(`ALTER ROLE ${ident(options.to)} WITH PASSWORD ${literal(rolePassword(options.pg, options.to))}`);
    }
  });
}

/**
 * Makes `database` (and everything in it) owned by `role` — its own role, created when missing —
 * instead of `from`, the role that loaded it (a scratch role or the role of a template copy's
 * source). REASSIGN OWNED also moves shared objects (databases) owned by `from`: any other database
 * `from` owned is given back to `from`, so only `database` changes hands.
 */
export async function adoptDatabase(options: { pg: ManagedPostgres; database: string; from: string; role?: string }): Promise<void> {
  assertDatabaseName(options.database);
  const role = options.role ?? options.database;
  if (options.from === role) return;
  const others = await withClient(options, async (c) => {
    await ensureDatabaseRole(c, options.pg, role);
    const res = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = $1 AND datname <> $2", [
      options.from,
      options.database,
    ]);
    return res.rows.map((r) => r.datname);
  });
  await withClient({ pg: options.pg, database: options.database }, async (c) => {
    await c.query("BEGIN");
    await c.query(`REASSIGN OWNED BY ${ident(options.from)} TO ${ident(role)}`);
    for (const other of others) await c.query(`ALTER DATABASE ${ident(other)} OWNER TO ${ident(options.from)}`);
    await c.query(`ALTER DATABASE ${ident(options.database)} OWNER TO ${ident(role)}`);
    await c.query("COMMIT");
  });
  await withClient(options, (c) => lockDown(c, options.database));
}
