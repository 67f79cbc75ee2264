// Staging copies in constant time (ADR 0009): a streaming physical standby of the managed server
// whose data directory is a btrfs subvolume; a staging copy is an atomic snapshot of that
// subvolume, taken once the standby has replayed production's current WAL position, started as a
// cluster of its own (one container per staging database), promoted, and stripped of every other
// database and role before it joins the project's network.
//
// Host side (the worker runs as root, as it does for the firewall rules): the storage is a
// configured btrfs directory or, when none is configured, a btrfs image file loop-mounted under the
// state folder. When neither works, `cloneStorageStatus` says why and the caller falls back to
// pg_dump | pg_restore (ADR 0002).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chownSync, chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DomainError } from "@slipway/domain";
import {
  connectToNetwork,
  containerIp,
  ensureContainer,
  execCommand,
  inspectContainer,
  removeContainer,
  runToCompletion,
  stopContainer,
  type DockerEngine,
} from "@slipway/docker";
import { assertDatabaseName } from "./databases";
import { ADMIN_ROLE, REPLICATION_ROLE, rolePassword } from "./roles";
import type { ManagedPostgres } from "./server";
import { ident, literal } from "./sql";

const run = promisify(execFile);

/** uid/gid of `postgres` in the platform's PostgreSQL image (slipway/postgres:15, Debian's package). */
const PG_UID = 100;
const PG_GID = 102;

export interface CloneStorage {
  /** A btrfs directory: `standby` (subvolume) and `clones/<database>` (snapshots) live in it. */
  root: string;
  kind: "btrfs";
  /** How it was obtained (for the step detail). */
  source: "configured" | "loop";
}

export type CloneStorageStatus = { ok: true; storage: CloneStorage } | { ok: false; reason: string };

async function fsType(dir: string): Promise<string> {
  const { stdout } = await run("stat", ["-f", "-c", "%T", dir]);
  return stdout.trim();
}

/**
 * The copy-on-write storage for the standby and its clones. `dir` set: that directory must be on
 * btrfs (anything else cannot snapshot: reason given). Unset: a sparse btrfs image of `loopSizeGb`
 * under `stateDir`, created and loop-mounted once (idempotent; needs root).
 */
export async function cloneStorageStatus(options: { dir?: string; stateDir: string; loopSizeGb: number }): Promise<CloneStorageStatus> {
  try {
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true });
      const type = await fsType(options.dir);
      if (type !== "btrfs") return { ok: false, reason: `${options.dir} is on ${type}, which cannot take snapshots (btrfs needed)` };
      return { ok: true, storage: { root: options.dir, kind: "btrfs", source: "configured" } };
    }
    const mountpoint = join(options.stateDir, "clones");
    const image = join(options.stateDir, "clones.btrfs.img");
    mkdirSync(mountpoint, { recursive: true, mode: 0o700 });
    if ((await fsType(mountpoint)) !== "btrfs") {
      if (!existsSync(image)) {
        await run("truncate", ["-s", `${options.loopSizeGb}G`, image]);
        await run("mkfs.btrfs", ["-q", image]);
      }
      await run("mount", ["-o", "loop,noatime", image, mountpoint]);
      if ((await fsType(mountpoint)) !== "btrfs") return { ok: false, reason: `${image} mounted on ${mountpoint} is not btrfs` };
    }
    return { ok: true, storage: { root: mountpoint, kind: "btrfs", source: "loop" } };
  } catch (error) {
    return { ok: false, reason: `no copy-on-write storage: ${(error as Error).message.split("\n")[0]}` };
  }
}

async function isSubvolume(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    await run("btrfs", ["subvolume", "show", path]);
    return true;
  } catch {
    return false;
  }
}

async function deleteSubvolume(path: string): Promise<void> {
  if (await isSubvolume(path)) await run("btrfs", ["subvolume", "delete", "--commit-after", path]);
  else rmSync(path, { recursive: true, force: true });
}

export interface Standby {
  containerName: string;
  dataDir: string;
  /** The administration role on the standby (read-only: hot standby). */
  pg: ManagedPostgres;
}

async function adminClient(conn: ManagedPostgres): Promise<pg.Client> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.admin.user,
    password: conn.admin.password,
    database: "postgres",
    connectionTimeoutMillis: 3_000,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function waitForAdmin(
  docker: DockerEngine,
  base: ManagedPostgres,
  containerName: string,
  timeoutMs: number,
): Promise<ManagedPostgres> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const ip = await containerIp({ docker, container: containerName, network: base.platformNetwork }).catch(() => null);
    if (ip) {
      const conn: ManagedPostgres = { ...base, containerName, host: ip, hostForBuilds: containerName };
      try {
        const c = await adminClient(conn);
        await c.end();
        return conn;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    const info = await inspectContainer({ docker, id: containerName });
    if (!info?.running)
      throw new DomainError("upstream_failed", `PostgreSQL container ${containerName} stopped (exit ${info?.exitCode ?? "?"})`);
    if (Date.now() > deadline) throw new DomainError("upstream_failed", `PostgreSQL container ${containerName} not ready in time: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The standby of the managed server on `storage` (created with pg_basebackup the first time: O(size),
 * once), running and streaming. Idempotent.
 */
export async function ensureStandby(options: {
  docker: DockerEngine;
  image: string;
  primary: ManagedPostgres;
  storage: CloneStorage;
  labels?: Record<string, string>;
  timeoutMs?: number;
}): Promise<Standby> {
  const { docker, primary, storage } = options;
  const containerName = `${primary.containerName}-standby`;
  const dataDir = join(storage.root, "standby");
  const labels = { ...options.labels, role: "odoo-postgres-standby" };
  const running = await inspectContainer({ docker, id: containerName });
  if (!running || !existsSync(join(dataDir, "PG_VERSION"))) {
    if (running) await removeContainer({ docker, id: running.id, force: true });
    await deleteSubvolume(dataDir);
    await run("btrfs", ["subvolume", "create", dataDir]);
    chownSync(dataDir, PG_UID, PG_GID);
    chmodSync(dataDir, 0o700);
    const lines: string[] = [];
    const base = await runToCompletion({
      docker,
      spec: {
        image: options.image,
        labels: { ...labels, role: "odoo-postgres-basebackup" },
        entrypoint: ["pg_basebackup"],
        cmd: ["-h", primary.containerName, "-U", REPLICATION_ROLE, "-D", "/standby", "-X", "stream", "-c", "fast", "-R"],
        env: { PGPASSWORD: rolePassword(primary, REPLICATION_ROLE), PGAPPNAME: "slipway-standby" },
        user: "postgres",
        network: primary.platformNetwork,
        mounts: [{ type: "bind", source: dataDir, target: "/standby" }],
        security: { capDrop: ["ALL"], noNewPrivileges: true },
      },
      timeoutMs: options.timeoutMs ?? 4 * 3600_000,
      onLine: (l) => void lines.push(l.line),
    });
    if (base.exitCode !== 0) {
      throw new DomainError("upstream_failed", `pg_basebackup of ${primary.containerName} failed: ${lines.slice(-5).join(" | ")}`);
    }
  }
  await ensureContainer({
    docker,
    spec: {
      name: containerName,
      image: options.image,
      labels,
      mounts: [{ type: "bind", source: dataDir, target: "/var/lib/postgresql/data" }],
      network: primary.platformNetwork,
      restart: "unless-stopped",
      security: { capDrop: ["ALL"], noNewPrivileges: true },
    },
  });
  const pgConn = await waitForAdmin(docker, primary, containerName, options.timeoutMs ?? 120_000);
  return { containerName, dataDir, pg: pgConn };
}

/** Removes the standby (container and subvolume). */
export async function removeStandby(options: { docker: DockerEngine; primary: ManagedPostgres; storage: CloneStorage }): Promise<void> {
  const name = `${options.primary.containerName}-standby`;
  const info = await inspectContainer({ docker: options.docker, id: name });
  if (info) await removeContainer({ docker: options.docker, id: info.id, force: true });
  await deleteSubvolume(join(options.storage.root, "standby"));
}

function withoutBuild(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "build"));
}

/** The container of a staging database's own cluster. */
export function cloneContainerName(database: string): string {
  return `slipway-pgclone-${database}`;
}

export interface CloneTimings {
  /** Waiting for a lagging standby to replay production's WAL position at the request (ms when it keeps up). */
  catchUpMs: number;
  /** How far behind the standby was when the copy was asked (bytes of WAL). */
  lagBytes: number;
  /** CHECKPOINT on the standby (a restartpoint). */
  restartpointMs: number;
  waitMs: number;
  snapshotMs: number;
  startMs: number;
  promoteMs: number;
  isolateMs: number;
  totalMs: number;
  /** Production's WAL position the copy contains (at least). */
  lsn: string;
}

/** SQL as the superuser over a PostgreSQL container's local socket (stdin); its output. */
export async function execSuperuser(docker: DockerEngine, container: string, sql: string): Promise<string> {
  const res = await execCommand({
    docker,
    id: container,
    user: "postgres",
    cmd: ["psql", "-h", "/run/postgresql", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt", "-f", "-"],
    stdin: sql,
    timeoutMs: 120_000,
  });
  if (res.exitCode !== 0) throw new DomainError("upstream_failed", `${container}: ${res.stderr.trim().slice(-400)}`);
  return res.stdout;
}

/** How long a copy waits for a lagging standby, by default (ADR 0009): a bulk load can leave it gigabytes behind. */
export const REPLAY_WAIT_DEFAULTS = {
  /** At most this long in all (the fallback, a dump, then takes longer than this on any database that lags this much). */
  timeoutMs: 60_000,
  /** Given up when the replay position has not moved for this long (the standby is stuck or disconnected). */
  stallMs: 10_000,
};

export interface ReplayWait {
  ok: boolean;
  /** Production's WAL position read at the start. */
  lsn: string;
  /** The standby's replay position at the end. */
  replayed: string;
  /** How far behind the standby was at the start (bytes of WAL). */
  lagBytes: number;
  waitedMs: number;
  /** Why it was given up (when not ok). */
  reason?: string;
}

/**
 * Waits until the standby has replayed production's current WAL position (read first: every
 * transaction committed before the call is then in the standby). Bounded: it gives up after
 * `timeoutMs`, when the replay does not move for `stallMs`, or when, at the replay speed seen so
 * far, the rest could not be replayed within the time left.
 */
export async function waitForReplay(options: {
  primary: ManagedPostgres;
  standby: ManagedPostgres;
  timeoutMs: number;
  stallMs?: number;
}): Promise<ReplayWait> {
  const stallMs = options.stallMs ?? REPLAY_WAIT_DEFAULTS.stallMs;
  const p = await adminClient(options.primary);
  let lsn: string;
  try {
    lsn = (await p.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0]!.lsn;
  } finally {
    await p.end().catch(() => undefined);
  }
  const s = await adminClient(options.standby);
  const t0 = Date.now();
  try {
    const deadline = t0 + options.timeoutMs;
    let lagBytes: number | null = null;
    let lastBehind = Number.POSITIVE_INFINITY;
    let lastMove = t0;
    for (;;) {
      const r = await s.query<{ behind: string | null; replayed: string | null }>(
        "SELECT greatest($1::pg_lsn - pg_last_wal_replay_lsn(), 0)::bigint::text AS behind, pg_last_wal_replay_lsn()::text AS replayed",
        [lsn],
      );
      const row = r.rows[0]!;
      const now = Date.now();
      // null: nothing replayed yet (a standby just started): as far behind as it can be.
      const behind = row.behind === null ? Number.POSITIVE_INFINITY : Number(row.behind);
      lagBytes ??= Number.isFinite(behind) ? behind : -1;
      const result = (ok: boolean, reason?: string): ReplayWait => ({
        ok,
        lsn,
        replayed: row.replayed ?? "",
        lagBytes: lagBytes!,
        waitedMs: now - t0,
        reason,
      });
      if (behind === 0) return result(true);
      if (behind < lastBehind) {
        lastBehind = behind;
        lastMove = now;
      }
      const mb = Number.isFinite(behind) ? `${(behind / 1024 ** 2).toFixed(0)} MB` : "everything";
      if (now >= deadline) return result(false, `the standby was still ${mb} behind after ${((now - t0) / 1000).toFixed(0)} s`);
      if (now - lastMove >= stallMs)
        return result(false, `the standby's replay did not move for ${(stallMs / 1000).toFixed(0)} s (${mb} behind)`);
      // After a second, a rate: give up at once when the rest cannot be replayed in the time left.
      const done = lagBytes! - behind;
      if (now - t0 >= 1_000 && Number.isFinite(behind) && lagBytes! > 0 && done > 0) {
        const needMs = behind / (done / (now - t0));
        if (needMs > (deadline - now) * 1.5) {
          return result(false, `the standby is ${mb} behind, about ${(needMs / 1000).toFixed(0)} s of replay at its current speed`);
        }
      }
      await new Promise((res) => setTimeout(res, behind > 16 * 1024 ** 2 ? 200 : 10));
    }
  } finally {
    await s.end().catch(() => undefined);
  }
}

/**
 * A new cluster holding `source` (production, as of now) renamed `target`, and nothing else: the
 * snapshot of the standby taken once it has replayed production's current WAL position, started in
 * its own container on the platform network (the worker only), promoted, every other database and
 * role dropped, the target's role given its own password; only then is it attached to `network`
 * (the project's). Returns the connection to use for `target` (its `hostForBuilds` is the clone).
 */
export async function cloneForStaging(options: {
  docker: DockerEngine;
  image: string;
  primary: ManagedPostgres;
  standby: Standby;
  storage: CloneStorage;
  source: string;
  target: string;
  /** The project's network, joined after the clone holds nothing but `target`. */
  network?: string;
  labels: Record<string, string>;
  replayTimeoutMs?: number;
  /** Called once the snapshot is taken (work that must come after it, such as the filestore's links, can start). */
  onSnapshot?: () => void;
}): Promise<{ pg: ManagedPostgres; timings: CloneTimings }> {
  const { docker, storage } = options;
  assertDatabaseName(options.source);
  assertDatabaseName(options.target);
  const t0 = Date.now();
  const container = cloneContainerName(options.target);
  const dir = join(storage.root, "clones", options.target);
  await removeClone({ docker, storage, database: options.target });

  // 1. Catch up: production's WAL position now (every transaction committed before the copy was
  //    asked), replayed by the standby. Milliseconds in the steady state; after a bulk load the
  //    standby may be gigabytes behind: waited for, bounded (REPLAY_WAIT_DEFAULTS), else fallback.
  const replayTimeoutMs = options.replayTimeoutMs ?? REPLAY_WAIT_DEFAULTS.timeoutMs;
  const catchUp = await waitForReplay({ primary: options.primary, standby: options.standby.pg, timeoutMs: replayTimeoutMs });
  if (!catchUp.ok) {
    throw new DomainError(
      "upstream_failed",
      `the standby lags (${catchUp.reason}; production is at ${catchUp.lsn}, replayed ${catchUp.replayed})`,
    );
  }
  const tc = Date.now();
  // 2. A restartpoint (the standby's own checkpoint; production does nothing), after the catch-up
  //    so that it is at production's last checkpoint: the clone's recovery then replays only the
  //    WAL since production's last checkpoint, not since the standby's.
  await execSuperuser(docker, options.standby.containerName, "CHECKPOINT;\n");
  const tr = Date.now();
  // 3. Production's position once more (later is only more current): the WAL of the last moments.
  const replay = await waitForReplay({
    primary: options.primary,
    standby: options.standby.pg,
    timeoutMs: Math.max(5_000, replayTimeoutMs - (tr - t0)),
  });
  if (!replay.ok) {
    throw new DomainError(
      "upstream_failed",
      `the standby lags (${replay.reason}; production is at ${replay.lsn}, replayed ${replay.replayed})`,
    );
  }
  const t1 = Date.now();
  mkdirSync(join(storage.root, "clones"), { recursive: true, mode: 0o700 });
  // Atomic: the running standby as a crash would leave it (PostgreSQL recovers from that).
  await run("btrfs", ["subvolume", "snapshot", options.standby.dataDir, dir]);
  const t2 = Date.now();
  options.onSnapshot?.();
  // The clone must never talk to production: no primary_conninfo (it keeps standby.signal and is
  // promoted once up, on a timeline of its own); the standby's lock file is not the clone's.
  const auto = join(dir, "postgresql.auto.conf");
  writeFileSync(
    auto,
    readFileSync(auto, "utf8")
      .split("\n")
      .filter((l) => !/^\s*(primary_conninfo|primary_slot_name|restore_command)\s*=/.test(l))
      .join("\n"),
  );
  rmSync(join(dir, "postmaster.pid"), { force: true });
  rmSync(join(dir, "postmaster.opts"), { force: true });

  try {
    await ensureContainer({
      docker,
      spec: {
        name: container,
        image: options.image,
        // Not the build's label: releasing a build (keepData) must not remove its database with its containers.
        labels: { ...withoutBuild(options.labels), role: "staging-postgres", database: options.target },
        mounts: [{ type: "bind", source: dir, target: "/var/lib/postgresql/data" }],
        network: options.primary.platformNetwork,
        restart: "unless-stopped",
        security: { capDrop: ["ALL"], noNewPrivileges: true },
      },
    });
    // Hot standby: accepts connections (the administration role, from the platform network) once consistent.
    await waitForAdmin(docker, options.primary, container, 120_000);
    const t3 = Date.now();
    const password = rolePassword(options.primary, options.target);
    const keep = [options.source, "postgres", "template0", "template1"];
    // One superuser session: promotion (the rest of its WAL replayed, a timeline of its own), then
    // only the one database, its role (renamed), the superuser and the administration role remain.
    await execSuperuser(
      docker,
      container,
      [
        "DO $$BEGIN IF NOT pg_promote(true, 60) THEN RAISE EXCEPTION 'not promoted'; END IF; END$$;",
        `SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database WHERE datname <> ALL (ARRAY[${keep.map(literal).join(",")}]) \\gexec`,
        `ALTER DATABASE ${ident(options.source)} RENAME TO ${ident(options.target)};`,
        `ALTER ROLE ${ident(options.source)} RENAME TO ${ident(options.target)};`,
        `ALTER ROLE ${ident(options.target)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal(password)};`,
        `DO $$DECLARE r record; BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname NOT IN ('postgres', ${literal(ADMIN_ROLE)}, ${literal(options.target)}) AND rolname !~ '^pg_' LOOP
    BEGIN EXECUTE format('DROP ROLE %I', r.rolname);
    EXCEPTION WHEN dependent_objects_still_exist THEN EXECUTE format('ALTER ROLE %I NOLOGIN', r.rolname);
    END;
  END LOOP;
END$$;`,
        "",
      ].join("\n"),
    );
    const t4 = Date.now();
    const conn = await waitForAdmin(docker, options.primary, container, 30_000);
    // The tools network as the managed server: backups' pg_dump (as the staging role) reaches it there.
    await connectToNetwork({ docker, network: options.primary.toolsNetwork, container });
    if (options.network) await connectToNetwork({ docker, network: options.network, container });
    const t5 = Date.now();
    return {
      pg: conn,
      timings: {
        catchUpMs: tc - t0,
        lagBytes: catchUp.lagBytes,
        restartpointMs: tr - tc,
        waitMs: t1 - tr,
        snapshotMs: t2 - t1,
        startMs: t3 - t2,
        promoteMs: t4 - t3,
        isolateMs: t5 - t4,
        totalMs: t5 - t0,
        lsn: replay.lsn,
      },
    };
  } catch (error) {
    await removeClone({ docker, storage, database: options.target }).catch(() => undefined);
    throw error;
  }
}

/**
 * A staging cluster taken over by the branch's next build ("update previous build"): stopped
 * cleanly, its snapshot snapshotted again under the new name (O(1)), started, its database and role
 * renamed (the role given the new name's password), joined to the project's network; the old
 * cluster removed. Same data, as a rename on the managed server keeps it.
 */
export async function moveClone(options: {
  docker: DockerEngine;
  image: string;
  primary: ManagedPostgres;
  storage: CloneStorage;
  from: string;
  to: string;
  network?: string;
}): Promise<ManagedPostgres> {
  const { docker, storage } = options;
  assertDatabaseName(options.from);
  assertDatabaseName(options.to);
  const old = await inspectContainer({ docker, id: cloneContainerName(options.from) });
  if (!old) throw new DomainError("not_found", `database ${options.from} has no staging cluster`);
  if (old.running) await stopContainer({ docker, id: old.id, timeoutSeconds: 60 });
  await removeClone({ docker, storage, database: options.to });
  const dir = join(storage.root, "clones", options.to);
  await run("btrfs", ["subvolume", "snapshot", join(storage.root, "clones", options.from), dir]);
  rmSync(join(dir, "postmaster.pid"), { force: true });
  const container = cloneContainerName(options.to);
  try {
    const labels = Object.fromEntries(Object.entries(old.labels).filter(([k]) => k !== "role" && k !== "database" && k !== "build"));
    await ensureContainer({
      docker,
      spec: {
        name: container,
        image: options.image,
        labels: { ...labels, role: "staging-postgres", database: options.to },
        mounts: [{ type: "bind", source: dir, target: "/var/lib/postgresql/data" }],
        network: options.primary.platformNetwork,
        restart: "unless-stopped",
        security: { capDrop: ["ALL"], noNewPrivileges: true },
      },
    });
    await waitForAdmin(docker, options.primary, container, 120_000);
    await execSuperuser(
      docker,
      container,
      [
        `ALTER DATABASE ${ident(options.from)} RENAME TO ${ident(options.to)};`,
        `ALTER ROLE ${ident(options.from)} RENAME TO ${ident(options.to)};`,
        `ALTER ROLE ${ident(options.to)} WITH PASSWORD ${literal(rolePassword(options.primary, options.to))};`,
        "",
      ].join("\n"),
    );
    const conn = await waitForAdmin(docker, options.primary, container, 30_000);
    await connectToNetwork({ docker, network: options.primary.toolsNetwork, container });
    if (options.network) await connectToNetwork({ docker, network: options.network, container });
    await removeClone({ docker, storage, database: options.from });
    return conn;
  } catch (error) {
    await removeClone({ docker, storage, database: options.to }).catch(() => undefined);
    throw error;
  }
}

/** The connection of a staging database that lives in a clone cluster, or null (it is on the managed server). */
export async function cloneConnection(options: {
  docker: DockerEngine;
  primary: ManagedPostgres;
  database: string;
}): Promise<ManagedPostgres | null> {
  const name = cloneContainerName(options.database);
  const info = await inspectContainer({ docker: options.docker, id: name });
  if (!info) return null;
  return waitForAdmin(options.docker, options.primary, name, 60_000);
}

/** Removes a staging database's cluster: container and snapshot. Idempotent. */
export async function removeClone(options: { docker: DockerEngine; storage: CloneStorage | null; database: string }): Promise<boolean> {
  const info = await inspectContainer({ docker: options.docker, id: cloneContainerName(options.database) });
  if (info) await removeContainer({ docker: options.docker, id: info.id, force: true });
  if (options.storage) await deleteSubvolume(join(options.storage.root, "clones", options.database));
  return info !== null;
}
