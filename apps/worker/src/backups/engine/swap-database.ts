// Puts a fully prepared database (restored or imported under a scratch name, its filestore in a
// `.incoming-…` folder of the branch's volume) in place of the branch's database. The heavy work
// is done before; here only renames happen while the server is stopped, so the downtime is seconds.
//
// A recovery state machine (issue 12 H6): the intent is journaled (recovery/swap-journal.ts) before
// the first rename, the live database and filestore are renamed aside (never dropped) until the
// swap is committed, and each step checks the names first. A failure, or a worker that dies at any
// point, is recovered by `recoverRestoreSwap` (called at once on a failure, at the next worker
// start or by the next swap of the same database after a crash): before the commit it puts the
// previous database and filestore back; after it, it finishes (drops the aside copies).
import { randomBytes } from "node:crypto";
import { inspectContainer, startContainer, stopContainer } from "@slipway/docker";
import { moveFilestores } from "./filestore-volume";
import { databaseExists, dropDatabase, renameDatabase, streamContainer, type ToolsContext } from "../../postgres";
import { BUILD_SECURITY } from "@slipway/docker";
import { DomainError } from "@slipway/domain";
import {
  clearSwapRecord,
  criticalSection,
  faultAt,
  InjectedCrash,
  readSwapRecord,
  withSwapLock,
  writeSwapRecord,
  type FaultInjector,
  type SwapRecord,
} from "../../recovery/swap-journal";

export interface SwapTarget {
  database: string;
  volume: string;
  /** Server container stopped during the swap and started again after it. */
  containerName: string | null;
}

export interface SwapResult {
  /** The server was running before and was started again. */
  restarted: boolean;
}

type RestoreRecord = Extract<SwapRecord, { kind: "restore-swap" }>;

async function startAndCheck(ctx: ToolsContext, name: string): Promise<void> {
  await startContainer({ docker: ctx.docker, id: name });
  // A server that exits at once (bad database) counts as a failed swap.
  await new Promise((r) => setTimeout(r, 1_000));
  const info = await inspectContainer({ docker: ctx.docker, id: name });
  if (!info?.running) throw new Error(`the server ${name} did not stay up after the swap (exit ${info?.exitCode ?? "?"})`);
}

export async function swapDatabase(options: {
  ctx: ToolsContext;
  target: SwapTarget;
  scratchDatabase: string;
  incomingDir: string;
  onStep?: (step: string) => void;
  home: string;
  faults?: FaultInjector;
}): Promise<SwapResult> {
  const { ctx, target, home, faults } = options;
  const step = options.onStep ?? (() => undefined);
  return withSwapLock(target.database, () =>
    criticalSection(async () => {
      // A swap of this database a dead worker left half-way is recovered first.
      await recoverLocked({ ctx, home, database: target.database, faults });
      const tag = randomBytes(6).toString("hex");
      const server = target.containerName ? await inspectContainer({ docker: ctx.docker, id: target.containerName }) : null;
      const record: RestoreRecord = {
        kind: "restore-swap",
        database: target.database,
        volume: target.volume,
        incomingDb: options.scratchDatabase,
        incomingDir: options.incomingDir,
        asideDb: `slipway_old_${tag}`,
        asideDir: `.old-${tag}`,
        containerName: target.containerName,
        wasRunning: Boolean(server?.running),
        phase: "swapping",
        startedAt: new Date().toISOString(),
      };
      writeSwapRecord(home, record);
      try {
        await faultAt(faults, "restore-swap:journaled");
        step("stop server");
        if (record.wasRunning) await stopContainer({ docker: ctx.docker, id: target.containerName!, timeoutSeconds: 20 });
        await faultAt(faults, "restore-swap:stopped-server");
        step("swap databases");
        await renameDatabase({ pg: ctx.pg, from: target.database, to: record.asideDb });
        await faultAt(faults, "restore-swap:database-aside");
        await renameDatabase({ pg: ctx.pg, from: options.scratchDatabase, to: target.database });
        await faultAt(faults, "restore-swap:database-in");
        step("swap filestores");
        await moveFilestores({ ctx, volume: target.volume, moves: [[target.database, record.asideDir]] });
        await faultAt(faults, "restore-swap:filestore-aside");
        await moveFilestores({ ctx, volume: target.volume, moves: [[options.incomingDir, target.database]] });
        await faultAt(faults, "restore-swap:filestore-in");
        if (record.wasRunning) {
          step("start server");
          await startAndCheck(ctx, target.containerName!);
        }
      } catch (error) {
        if (error instanceof InjectedCrash) throw error;
        step(`rollback: ${(error as Error).message}`);
        await rollBack(ctx, record);
        clearSwapRecord(home, target.database);
        throw error;
      }
      writeSwapRecord(home, { ...record, phase: "committed" });
      await faultAt(faults, "restore-swap:committed");
      step("drop the previous database");
      await finish(ctx, record);
      clearSwapRecord(home, target.database);
      return { restarted: record.wasRunning };
    }),
  );
}

/** After the commit: the aside copies go (idempotent). */
async function finish(ctx: ToolsContext, record: RestoreRecord): Promise<void> {
  // The new database is in place before anything is dropped.
  if (!(await databaseExists({ pg: ctx.pg, name: record.database })))
    throw new DomainError("invalid_state", `${record.database} is missing after its swap: ${record.asideDb} is kept`);
  await dropDatabase({ pg: ctx.pg, name: record.asideDb });
  await moveFilestores({ ctx, volume: record.volume, moves: [], remove: [record.asideDir] });
}

/**
 * Before the commit: puts the previous database and filestore back from wherever the swap stopped
 * (idempotent: each rename is done only when its source exists and its target does not), drops the
 * incoming copies and starts the server again when it was running.
 */
async function rollBack(ctx: ToolsContext, record: RestoreRecord): Promise<void> {
  if (record.wasRunning && record.containerName)
    await stopContainer({ docker: ctx.docker, id: record.containerName, timeoutSeconds: 10 }).catch(() => undefined);
  // Filestore: only when the previous one was moved aside does the live name hold the incoming one.
  await restoreFilestoreAside(ctx, record);
  if (await databaseExists({ pg: ctx.pg, name: record.asideDb })) {
    if (await databaseExists({ pg: ctx.pg, name: record.database })) {
      if (await databaseExists({ pg: ctx.pg, name: record.incomingDb }))
        throw new DomainError("invalid_state", `cannot roll back ${record.database}: ${record.incomingDb} exists too`);
      await renameDatabase({ pg: ctx.pg, from: record.database, to: record.incomingDb });
    }
    await renameDatabase({ pg: ctx.pg, from: record.asideDb, to: record.database });
  }
  // The incoming copies are leftovers now (the restore starts over from the backup).
  await dropDatabase({ pg: ctx.pg, name: record.incomingDb });
  await moveFilestores({ ctx, volume: record.volume, moves: [], remove: [record.incomingDir] });
  if (record.wasRunning && record.containerName)
    await startContainer({ docker: ctx.docker, id: record.containerName }).catch(() => undefined);
}

async function restoreFilestoreAside(ctx: ToolsContext, record: RestoreRecord): Promise<void> {
  const script = [
    "set -e; cd /data; mkdir -p filestore; cd filestore",
    // live=$1 aside=$2 incoming=$3: the live folder goes back to incoming only when the aside one exists.
    'if [ -d "$2" ]; then if [ -e "$1" ]; then if [ -e "$3" ]; then echo "$3 already exists" >&2; exit 3; fi; mv "$1" "$3"; fi; mv "$2" "$1"; fi',
  ].join("\n");
  const run = await streamContainer(ctx, {
    spec: {
      image: ctx.image,
      user: "0:0",
      entrypoint: ["sh", "-c", script, "sh", record.database, record.asideDir, record.incomingDir],
      mounts: [{ type: "volume", source: record.volume, target: "/data" }],
      network: "none",
      security: { ...BUILD_SECURITY, capAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
      labels: { ...ctx.labels, role: "backup-filestore-move" },
    },
  });
  if (run.exitCode !== 0) throw new DomainError("upstream_failed", `putting the previous filestore back failed: ${run.stderr.trim()}`);
}

async function recoverLocked(options: {
  ctx: ToolsContext;
  home: string;
  database: string;
  faults?: FaultInjector;
}): Promise<"none" | "rolled-back" | "finished"> {
  const record = readSwapRecord(options.home, options.database);
  if (record?.kind !== "restore-swap") return "none";
  if (record.phase === "committed") {
    await finish(options.ctx, record);
    if (record.wasRunning && record.containerName)
      await startContainer({ docker: options.ctx.docker, id: record.containerName }).catch(() => undefined);
    clearSwapRecord(options.home, record.database);
    return "finished";
  }
  await rollBack(options.ctx, record);
  clearSwapRecord(options.home, record.database);
  return "rolled-back";
}

/** Recovers a restore swap of `database` a dead worker left half-way (worker start, tests). */
export async function recoverRestoreSwap(options: {
  ctx: ToolsContext;
  home: string;
  database: string;
  faults?: FaultInjector;
}): Promise<"none" | "rolled-back" | "finished"> {
  return withSwapLock(options.database, () => criticalSection(() => recoverLocked(options)));
}
