// How staging builds copy production without locking or slowing it (ADR 0002). Both paths read
// the LIVE production database with pg_dump (one MVCC snapshot: consistent, no lock that blocks
// Odoo; one dump at a time per production database) and hard-link the filestore:
//   - default (max age 0): pg_dump | pg_restore straight into the staging database;
//   - max age > 0: a "staging source" `<db>_snapshot` is refreshed that way when stale, and each
//     staging build is a `CREATE DATABASE … TEMPLATE <db>_snapshot` (nobody else ever connects to
//     the snapshot) plus a hard-link copy of its filestore.
import { DomainError } from "@slipway/domain";
import { execCommand, type DockerEngine } from "@slipway/docker";
import {
  adoptDatabase,
  copyDatabase,
  createDatabase,
  databaseExists,
  dropDatabase,
  ident,
  literal,
  renameDatabase,
  rolePassword,
  cloneForStaging,
  removeClone,
  withClient,
  type CloneTimings,
  type ManagedPostgres,
} from "../postgres";
import { filestoreOperation } from "./copy-filestore";
import type { CloneBackend } from "./staging-clones";

export function stagingSourceName(database: string): string {
  return `${database}_snapshot`;
}

// Constant script (names and passwords through the environment). dash has no pipefail: pg_dump's
// status goes through a file. pg_dump logs in as the source's own role, pg_restore as the target's
// (the objects it creates are then the target role's), over the server's local socket.
const DUMP_RESTORE = `set -u
st=$(mktemp)
{ PGPASSWORD="$SRC_PASSWORD" pg_dump -Fc -Z0 -h /run/postgresql -U "$SRC" -d "$SRC"; echo $? > "$st"; } | PGPASSWORD="$DST_PASSWORD" pg_restore -h /run/postgresql -U "$DST" -d "$DST" --no-owner --no-privileges --exit-on-error
rs=$?; ds=$(cat "$st"); rm -f "$st"
echo "pg_dump exit $ds, pg_restore exit $rs" >&2
[ "$ds" = 0 ] && [ "$rs" = 0 ]`;

/** pg_dump of a live database piped into pg_restore of a new one, inside the managed server's container. */
export async function dumpRestore(options: {
  docker: DockerEngine;
  pg: ManagedPostgres;
  source: string;
  target: string;
  timeoutMs?: number;
}): Promise<{ durationMs: number }> {
  const { pg } = options;
  const started = Date.now();
  await dropDatabase({ pg, name: options.target });
  await createDatabase({ pg, name: options.target });
  const res = await execCommand({
    docker: options.docker,
    id: pg.containerName,
    user: "postgres",
    cmd: ["sh", "-c", DUMP_RESTORE],
    env: {
      SRC: options.source,
      SRC_PASSWORD: rolePassword(pg, options.source),
      DST: options.target,
      DST_PASSWORD: rolePassword(pg, options.target),
    },
    timeoutMs: options.timeoutMs ?? 4 * 3600_000,
  });
  if (res.exitCode !== 0) {
    await dropDatabase({ pg, name: options.target }).catch(() => undefined);
    throw new DomainError(
      "upstream_failed",
      `pg_dump | pg_restore ${options.source} → ${options.target} failed: ${res.stderr.trim().slice(-500)}`,
    );
  }
  return { durationMs: Date.now() - started };
}

async function takenAt(pg: ManagedPostgres, name: string): Promise<Date | null> {
  return withClient({ pg }, async (c) => {
    const res = await c.query<{ d: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS d FROM pg_database WHERE datname = $1",
      [name],
    );
    const raw = res.rows[0]?.d;
    if (!raw) return null;
    try {
      const at = new Date((JSON.parse(raw) as { takenAt: string }).takenAt);
      return Number.isNaN(at.getTime()) ? null : at;
    } catch {
      return null;
    }
  });
}

export interface StagingSourceOptions {
  docker: DockerEngine;
  pg: ManagedPostgres;
  /** The platform's tools image for the filestore helper. */
  toolsImage: string;
  /** Production database and its data volume. */
  database: string;
  volume: string;
  /** A snapshot taken more than this before the request is refreshed (0: only one taken after it is used). */
  maxAgeMs: number;
  /** A snapshot taken before this moment (e.g. the last production update) is refreshed. */
  notBefore?: Date | null;
  labels: Record<string, string>;
  logFile?: string;
  /** Image of the staging clusters (the managed server's: SLIPWAY_ODOO_PG_IMAGE); default toolsImage. */
  cloneImage?: string;
}

export interface StagingSource {
  name: string;
  takenAt: Date;
  refreshed: boolean;
  durationMs: number;
}

/** How the database was copied: a standby snapshot (ADR 0009), pg_dump | pg_restore, or a template copy of the staging source. */
export type CopyMode = "clone" | "dump" | "template";

export interface StagingCopy extends StagingSource {
  copyMode: CopyMode;
  /** Why the clone path was not used (clones on, but no storage, no standby, or the standby lagging). */
  fallback?: string;
  /** The staging database's own cluster (clone mode): where the build's Odoo and the worker reach it. */
  pg?: ManagedPostgres;
  clone?: CloneTimings & { container: string; storage: string };
  filestoreMode: string;
  files: number;
  copyMs: number;
}

/**
 * A staging copy: the constant-time clone of production when `clones` gives a backend (and it
 * works), else ADR 0002's paths, which say in `fallback` why the clone was not used.
 */
export async function copyProductionForStagingBuild(
  options: StagingSourceOptions & {
    target: { database: string; volume: string };
    clones: () => Promise<CloneBackend>;
    /** The project's network, which the clone joins once it holds the staging database alone. */
    network: string;
  },
): Promise<StagingCopy> {
  const { pg } = options;
  let fallback: string;
  const backend = await options.clones().catch((e: unknown) => ({ ok: false as const, reason: (e as Error).message }));
  if (backend.ok) {
    if (!(await databaseExists({ pg, name: options.database }))) {
      throw new DomainError("not_found", `there is no production database ${options.database} to copy: build the production branch first`);
    }
    // The filestore is linked while the clone starts: after the snapshot, so every file the copied
    // database references exists (files are written before the rows that name them commit).
    let linking: Promise<{ mode: string; files: number; ms: number }> | null = null;
    const link = () => {
      const t = Date.now();
      linking = filestoreOperation({
        docker: options.docker,
        toolsImage: options.toolsImage,
        op: "copy",
        source: { volume: options.volume, database: options.database },
        target: options.target,
        labels: options.labels,
        logFile: options.logFile,
      }).then((r) => ({ ...r, ms: Date.now() - t }));
      linking.catch(() => undefined);
    };
    try {
      const now = new Date();
      const c = await cloneForStaging({
        docker: options.docker,
        image: options.cloneImage ?? options.toolsImage,
        primary: pg,
        standby: backend.standby,
        storage: backend.storage,
        source: options.database,
        target: options.target.database,
        network: options.network,
        labels: options.labels,
        onSnapshot: link,
      });
      if (!linking) link();
      const fs = await linking!;
      return {
        name: options.database,
        takenAt: now,
        refreshed: true,
        durationMs: c.timings.totalMs,
        copyMode: "clone",
        pg: c.pg,
        clone: { ...c.timings, container: c.pg.containerName, storage: backend.storage.source },
        filestoreMode: fs.mode,
        files: fs.files,
        copyMs: fs.ms,
      };
    } catch (error) {
      fallback = `clone failed: ${(error as Error).message.slice(0, 300)}`;
      await Promise.resolve(linking).catch(() => undefined);
      await removeClone({ docker: options.docker, storage: backend.storage, database: options.target.database }).catch(() => undefined);
    }
  } else {
    fallback = backend.reason;
  }
  const r = await copyProductionForStaging(options);
  return { ...r, copyMode: options.maxAgeMs > 0 ? "template" : "dump", fallback };
}

/**
 * A staging database from production. maxAge 0 (default): pg_dump | pg_restore of the live
 * database straight into `target`, filestore hard-linked from production's. maxAge > 0: the
 * staging source is refreshed when missing or stale, then template-copied to `target` with its
 * filestore hard-linked (ADR 0002 has the figures behind this split). Everything happens under an advisory
 * lock on the managed server (per production database), so concurrent staging builds never copy a
 * source being replaced, and one refresh serves the builds waiting behind it.
 */
export async function copyProductionForStaging(
  options: StagingSourceOptions & { target: { database: string; volume: string } },
): Promise<StagingSource & { filestoreMode: string; files: number; copyMs: number }> {
  const { pg } = options;
  const name = stagingSourceName(options.database);
  const started = Date.now();
  if (!(await databaseExists({ pg, name: options.database }))) {
    throw new DomainError("not_found", `there is no production database ${options.database} to copy: build the production branch first`);
  }
  return withClient({ pg }, async (lock) => {
    await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`slipway-staging-source:${options.database}`]);
    if (options.maxAgeMs <= 0) {
      // Always current: straight from the live database (one dump at a time per production
      // database, under the lock), the filestore linked from production's after the dump started.
      const now = new Date();
      await dumpRestore({ docker: options.docker, pg, source: options.database, target: options.target.database });
      const fsStarted = Date.now();
      const fs = await filestoreOperation({
        docker: options.docker,
        toolsImage: options.toolsImage,
        op: "copy",
        source: { volume: options.volume, database: options.database },
        target: options.target,
        labels: options.labels,
        logFile: options.logFile,
      });
      return {
        name: options.database,
        takenAt: now,
        refreshed: true,
        durationMs: fsStarted - started,
        filestoreMode: fs.mode,
        files: fs.files,
        copyMs: Date.now() - fsStarted,
      };
    }
    let at = (await databaseExists({ pg, name })) ? await takenAt(pg, name) : null;
    // Fresh = taken after this copy was asked for, give or take maxAge: builds that queued behind
    // the lock while another refreshed share that refresh, even with maxAge 0.
    const fresh = at && at.getTime() >= started - options.maxAgeMs && (!options.notBefore || at >= options.notBefore);
    if (!fresh) at = await refresh(options, name);
    const refreshedMs = Date.now() - started;
    const copy = await copyFromStagingSource({ ...options, source: { database: name, volume: options.volume }, target: options.target });
    return {
      name,
      takenAt: at!,
      refreshed: !fresh,
      durationMs: refreshedMs,
      filestoreMode: copy.filestoreMode,
      files: copy.files,
      copyMs: copy.durationMs,
    };
  });
}

async function refresh(options: StagingSourceOptions, name: string): Promise<Date> {
  const { pg } = options;
  const next = `${name}_next`;
  const now = new Date();
  await dumpRestore({ docker: options.docker, pg, source: options.database, target: next });
  // After the dump started: files created since are extra (harmless), none it references is missing.
  const volume = options.volume;
  await filestoreOperation({
    docker: options.docker,
    toolsImage: options.toolsImage,
    op: "copy",
    source: { volume, database: options.database },
    target: { volume, database: next },
    labels: options.labels,
    logFile: options.logFile,
  });
  await withClient({ pg }, (c) =>
    c.query(`COMMENT ON DATABASE ${ident(next)} IS ${literal(JSON.stringify({ takenAt: now.toISOString(), source: options.database }))}`),
  );
  await dropDatabase({ pg, name });
  await renameDatabase({ pg, from: next, to: name });
  await filestoreOperation({
    docker: options.docker,
    toolsImage: options.toolsImage,
    op: "move",
    source: { volume, database: next },
    target: { volume, database: name },
    labels: options.labels,
    logFile: options.logFile,
  });
  return now;
}

/** A staging database from the staging source: template copy + hard-linked filestore. */
export async function copyFromStagingSource(options: {
  docker: DockerEngine;
  pg: ManagedPostgres;
  toolsImage: string;
  source: { database: string; volume: string };
  target: { database: string; volume: string };
  labels: Record<string, string>;
  logFile?: string;
}): Promise<{ filestoreMode: string; files: number; durationMs: number }> {
  const started = Date.now();
  await dropDatabase({ pg: options.pg, name: options.target.database });
  await copyDatabase({ pg: options.pg, source: options.source.database, target: options.target.database });
  // The copy's objects belong to the staging source's role: the staging database gets its own.
  await adoptDatabase({ pg: options.pg, database: options.target.database, from: options.source.database });
  const fs = await filestoreOperation({
    docker: options.docker,
    toolsImage: options.toolsImage,
    op: "copy",
    source: options.source,
    target: options.target,
    labels: options.labels,
    logFile: options.logFile,
  });
  return { filestoreMode: fs.mode, files: fs.files, durationMs: Date.now() - started };
}
