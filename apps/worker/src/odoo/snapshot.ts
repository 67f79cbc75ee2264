// Database + filestore snapshots on the managed PostgreSQL server, the rollback mechanism of a
// production update: `CREATE DATABASE <db>_pre_<build> TEMPLATE <db>` (a file-level copy; needs no
// other session on the source, so the production server is stopped first) and a hard-link copy of
// the filestore in the same data volume. Restoring = drop the broken database, rename the snapshot
// back, move the filestore snapshot back (renames: instant, whatever the size).
import { DomainError } from "@slipway/domain";
import type { DockerEngine } from "@slipway/docker";
import { filestoreOperation } from "./copy-filestore";
import { assertDatabaseName, copyDatabase, databaseExists, dropDatabase, renameDatabase, withClient, type ManagedPostgres } from "../postgres";

export interface SnapshotTarget {
  docker: DockerEngine;
  pg: ManagedPostgres;
  /** The platform's tools image for the filestore helper (never a project's image). */
  toolsImage: string;
  /** The data volume holding `filestore/<database>` (and the snapshot's filestore). */
  volume: string;
  database: string;
  labels: Record<string, string>;
  logFile?: string;
}

/** `<db>_pre_<n>`: distinct from every build database name (those never contain `_`). */
export function preUpdateSnapshotName(database: string, buildNumber: number): string {
  const name = `${database}_pre_${buildNumber}`;
  assertDatabaseName(name);
  return name;
}

/** Copies the database and its filestore to `snapshot` (an existing snapshot of that name is replaced). */
export async function takeSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<{ filestoreMode: string; files: number }> {
  await dropDatabase({ pg: target.pg, name: target.snapshot });
  await copyDatabase({ pg: target.pg, source: target.database, target: target.snapshot });
  const fs = await filestoreOperation({
    docker: target.docker,
    toolsImage: target.toolsImage,
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
  await dropDatabase({ pg: target.pg, name: target.database });
  await renameDatabase({ pg: target.pg, from: target.snapshot, to: target.database });
  await filestoreOperation({
    docker: target.docker,
    toolsImage: target.toolsImage,
    op: "move",
    source: { volume: target.volume, database: target.snapshot },
    target: { volume: target.volume, database: target.database },
    labels: target.labels,
    logFile: target.logFile,
  });
}

export async function dropSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<void> {
  await dropDatabase({ pg: target.pg, name: target.snapshot });
  await filestoreOperation({ docker: target.docker, toolsImage: target.toolsImage, op: "remove", target: { volume: target.volume, database: target.snapshot }, labels: target.labels, logFile: target.logFile });
}

/** Pre-update snapshots of a database, oldest first (by build number). */
export async function listPreUpdateSnapshots(options: { pg: ManagedPostgres; database: string }): Promise<string[]> {
  return withClient({ pg: options.pg }, async (c) => {
    const res = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [`${options.database}_pre_`]);
    const num = (n: string) => Number(n.slice(options.database.length + 5));
    return res.rows.map((r) => r.datname).filter((n) => /^\d+$/.test(n.slice(options.database.length + 5))).sort((a, b) => num(a) - num(b));
  });
}
