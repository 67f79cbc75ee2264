// Database + filestore snapshots on the managed PostgreSQL server, the rollback mechanism of a
// production update: `CREATE DATABASE <db>_pre_<build> TEMPLATE <db>` (a file-level copy; needs no
// other session on the source, so the production server is stopped first) and a hard-link copy of
// the filestore in the same data volume. Restoring = drop the broken database, rename the snapshot
// back, move the filestore snapshot back (renames: instant, whatever the size).
import { DomainError } from "@slipway/domain";
import type { DockerEngine } from "@slipway/docker";
import { filestoreOperation } from "./copy-filestore";
import type { ManagedPostgres } from "./managed-postgres";
import { assertDatabaseName, databaseExists, withClient } from "./odoo-databases";

export interface SnapshotTarget {
  docker: DockerEngine;
  pg: ManagedPostgres;
  /** Image of the filestore helper container (the build's Odoo image). */
  image: string;
  /** The data volume holding `filestore/<database>` (and the snapshot's filestore). */
  volume: string;
  database: string;
  labels: Record<string, string>;
  logFile?: string;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `<db>_pre_<n>`: distinct from every build database name (those never contain `_pre_`). */
export function preUpdateSnapshotName(database: string, buildNumber: number): string {
  const name = `${database}_pre_${buildNumber}`;
  assertDatabaseName(name);
  return name;
}

// Sessions are closed with pg_terminate_backend, for client backends only: the role is not a
// superuser and PostgreSQL refuses to let it signal an autovacuum worker (ERROR "must be a superuser
// to terminate superuser process"), which freshly restored or copied databases often have. CREATE,
// DROP and ALTER DATABASE stop autovacuum workers by themselves.
async function closeClientSessions(c: { query: (sql: string, params: unknown[]) => Promise<unknown> }, name: string): Promise<void> {
  await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'", [name]);
}

/** Drops a database (sessions closed, WITH (FORCE)); a missing one is fine. */
export async function dropDatabaseSafely(options: { pg: ManagedPostgres; name: string }): Promise<void> {
  assertDatabaseName(options.name);
  await withClient({ pg: options.pg }, async (c) => {
    await closeClientSessions(c, options.name);
    await c.query(`DROP DATABASE IF EXISTS ${ident(options.name)} WITH (FORCE)`);
  });
}

/** `CREATE DATABASE target TEMPLATE source`, retried while a client reconnects to the source. */
export async function templateCopy(options: { pg: ManagedPostgres; source: string; target: string; attempts?: number }): Promise<void> {
  assertDatabaseName(options.source);
  assertDatabaseName(options.target);
  await withClient({ pg: options.pg }, async (c) => {
    for (let attempt = 1; ; attempt++) {
      await closeClientSessions(c, options.source);
      try {
        await c.query(`CREATE DATABASE ${ident(options.target)} WITH TEMPLATE ${ident(options.source)} OWNER ${ident(options.pg.user)}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "42P04") throw new DomainError("conflict", `database ${options.target} already exists`, { cause: error });
        if (code === "3D000") throw new DomainError("not_found", `database ${options.source} does not exist`, { cause: error });
        if (code !== "55006" || attempt >= (options.attempts ?? 10)) {
          throw new DomainError("upstream_failed", `copy ${options.source} → ${options.target} failed: ${(error as Error).message}`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });
}

/** Renames a database after closing its sessions (ALTER DATABASE needs none on it). */
export async function renameDatabase(options: { pg: ManagedPostgres; from: string; to: string }): Promise<void> {
  assertDatabaseName(options.from);
  assertDatabaseName(options.to);
  await withClient({ pg: options.pg }, async (c) => {
    for (let attempt = 1; ; attempt++) {
      await closeClientSessions(c, options.from);
      try {
        await c.query(`ALTER DATABASE ${ident(options.from)} RENAME TO ${ident(options.to)}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "55006" && attempt < 5) {
          await new Promise((r) => setTimeout(r, 200 * attempt));
          continue;
        }
        throw new DomainError("upstream_failed", `rename ${options.from} → ${options.to} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  });
}

/** Copies the database and its filestore to `snapshot` (an existing snapshot of that name is replaced). */
export async function takeSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<{ filestoreMode: string; files: number }> {
  await dropDatabaseSafely({ pg: target.pg, name: target.snapshot });
  await templateCopy({ pg: target.pg, source: target.database, target: target.snapshot });
  const fs = await filestoreOperation({
    docker: target.docker,
    image: target.image,
    op: "copy",
    source: { volume: target.volume, database: target.database },
    target: { volume: target.volume, database: target.snapshot },
    labels: target.labels,
    logFile: target.logFile,
  });
  return { filestoreMode: fs.mode, files: fs.files };
}

/**
 * Puts the snapshot back in place of the database: the (broken) database is dropped, the snapshot
 * renamed to its name and its filestore moved back. Refuses when the snapshot is gone, before
 * touching anything: then the database is left as it is.
 */
export async function restoreSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<void> {
  if (!(await databaseExists({ pg: target.pg, name: target.snapshot }))) {
    throw new DomainError("not_found", `snapshot ${target.snapshot} does not exist: ${target.database} was left as it is`);
  }
  await dropDatabaseSafely({ pg: target.pg, name: target.database });
  await renameDatabase({ pg: target.pg, from: target.snapshot, to: target.database });
  await filestoreOperation({
    docker: target.docker,
    image: target.image,
    op: "move",
    source: { volume: target.volume, database: target.snapshot },
    target: { volume: target.volume, database: target.database },
    labels: target.labels,
    logFile: target.logFile,
  });
}

export async function dropSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<void> {
  await dropDatabaseSafely({ pg: target.pg, name: target.snapshot });
  await filestoreOperation({ docker: target.docker, image: target.image, op: "remove", target: { volume: target.volume, database: target.snapshot }, labels: target.labels, logFile: target.logFile });
}

/** Pre-update snapshots of a database, oldest first (by build number). */
export async function listPreUpdateSnapshots(options: { pg: ManagedPostgres; database: string }): Promise<string[]> {
  return withClient({ pg: options.pg }, async (c) => {
    const res = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [`${options.database}_pre_`]);
    const num = (n: string) => Number(n.slice(options.database.length + 5));
    return res.rows.map((r) => r.datname).filter((n) => /^\d+$/.test(n.slice(options.database.length + 5))).sort((a, b) => num(a) - num(b));
  });
}
