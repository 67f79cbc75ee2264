// Database + filestore snapshots on the managed PostgreSQL server, the rollback mechanism of a
// production update: `CREATE DATABASE <db>_pre_<build> TEMPLATE <db>` (a file-level copy; needs no
// other session on the source, so the production server is stopped first) and a hard-link copy of
// the filestore in the same data volume. Restoring = drop the broken database, rename the snapshot
// back, move the filestore snapshot back (renames: instant, whatever the size).
import { DomainError } from "@slipway/domain";
import type { DockerEngine } from "@slipway/docker";
import { filestoreOperation } from "./copy-filestore";
import {
  clearSwapRecord,
  criticalSection,
  faultAt,
  readSwapRecord,
  withSwapLock,
  writeSwapRecord,
  type FaultInjector,
} from "../recovery/swap-journal";
import {
  assertDatabaseName,
  copyDatabase,
  databaseExists,
  dropDatabase,
  renameDatabase,
  withClient,
  type ManagedPostgres,
} from "../postgres";

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
 * Puts the snapshot back in place of the database: a recovery state machine (issue 12 H6). The
 * intent is journaled first (`home` given: the worker's state folder), then each step checks the
 * names before acting, so running it again after a crash at any point completes it:
 *   database: while the snapshot database exists, the (broken) database is dropped and the snapshot
 *   renamed to its name (it keeps its origin's owner, the database's own role); once it is gone the
 *   database step is done;
 *   filestore: the live folder is renamed aside, the snapshot's folder moved in, the aside copy
 *   deleted (copy-filestore's move).
 * Refuses when neither the snapshot database nor the database exists, before touching anything.
 */
export async function restoreSnapshot(target: SnapshotTarget & { snapshot: string; home?: string; faults?: FaultInjector }): Promise<void> {
  await withSwapLock(target.database, () =>
    criticalSection(async () => {
      const hasSnapshot = await databaseExists({ pg: target.pg, name: target.snapshot });
      const journaled = target.home ? readSwapRecord(target.home, target.database) : null;
      if (!hasSnapshot && !(journaled?.kind === "snapshot-restore" && journaled.snapshot === target.snapshot)) {
        throw new DomainError("not_found", `snapshot ${target.snapshot} does not exist: ${target.database} was left as it is`);
      }
      if (journaled && !(journaled.kind === "snapshot-restore" && journaled.snapshot === target.snapshot)) {
        throw new DomainError(
          "conflict",
          `${target.database} has an unfinished ${journaled.kind} (${journaled.startedAt}): it is completed first`,
        );
      }
      if (target.home && !journaled) {
        writeSwapRecord(target.home, {
          kind: "snapshot-restore",
          database: target.database,
          volume: target.volume,
          snapshot: target.snapshot,
          asideDir: `.aside-${target.database}`,
          phase: "restoring",
          startedAt: new Date().toISOString(),
        });
      }
      await faultAt(target.faults, "snapshot-restore:journaled");
      await finishSnapshotRestore(target);
      if (target.home) clearSwapRecord(target.home, target.database);
    }),
  );
}

/** The idempotent steps of restoreSnapshot (also the resume of a journaled one). */
async function finishSnapshotRestore(target: SnapshotTarget & { snapshot: string; faults?: FaultInjector }): Promise<void> {
  if (await databaseExists({ pg: target.pg, name: target.snapshot })) {
    // The broken database is dropped only while its replacement exists.
    await dropDatabase({ pg: target.pg, name: target.database });
    await faultAt(target.faults, "snapshot-restore:dropped-database");
    await renameDatabase({ pg: target.pg, from: target.snapshot, to: target.database });
    await faultAt(target.faults, "snapshot-restore:renamed-database");
  } else if (!(await databaseExists({ pg: target.pg, name: target.database }))) {
    throw new DomainError("invalid_state", `neither ${target.snapshot} nor ${target.database} exists: nothing was touched`);
  }
  await filestoreOperation({
    docker: target.docker,
    toolsImage: target.toolsImage,
    op: "move",
    source: { volume: target.volume, database: target.snapshot },
    target: { volume: target.volume, database: target.database },
    labels: target.labels,
    logFile: target.logFile,
    faultPoint: target.faults?.helperPoint,
  });
  await faultAt(target.faults, "snapshot-restore:moved-filestore");
}

/** Completes a journaled snapshot restore of `database` left by a dead worker; false when there is none. */
export async function resumeSnapshotRestore(
  options: Omit<SnapshotTarget, "volume" | "database"> & { home: string; database: string; faults?: FaultInjector },
): Promise<boolean> {
  const record = readSwapRecord(options.home, options.database);
  if (record?.kind !== "snapshot-restore") return false;
  await withSwapLock(record.database, () =>
    criticalSection(async () => {
      const again = readSwapRecord(options.home, record.database);
      if (!again) return;
      await finishSnapshotRestore({ ...options, volume: record.volume, database: record.database, snapshot: record.snapshot });
      clearSwapRecord(options.home, record.database);
    }),
  );
  return true;
}

export async function dropSnapshot(target: SnapshotTarget & { snapshot: string }): Promise<void> {
  await dropDatabase({ pg: target.pg, name: target.snapshot });
  await filestoreOperation({
    docker: target.docker,
    toolsImage: target.toolsImage,
    op: "remove",
    target: { volume: target.volume, database: target.snapshot },
    labels: target.labels,
    logFile: target.logFile,
  });
}

/** Pre-update snapshots of a database, oldest first (by build number). */
export async function listPreUpdateSnapshots(options: { pg: ManagedPostgres; database: string }): Promise<string[]> {
  return withClient({ pg: options.pg }, async (c) => {
    const res = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [
      `${options.database}_pre_`,
    ]);
    const num = (n: string) => Number(n.slice(options.database.length + 5));
    return res.rows
      .map((r) => r.datname)
      .filter((n) => /^\d+$/.test(n.slice(options.database.length + 5)))
      .sort((a, b) => num(a) - num(b));
  });
}
