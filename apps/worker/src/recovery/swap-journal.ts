// The durable record of the destructive part of a production rollback or a backup restore
// (issue 12 H6, ADR 0002): before the first rename or drop, the worker writes what it is about to
// do — which database and filestore folder go where — and updates the record at each phase change;
// it removes it only once the operation is complete. A worker that dies in between finds the record
// at its next start (or the next attempt of the same operation finds it) and completes or rolls
// back the operation from whatever state the names are in: every step is idempotent and checks the
// names first (rename aside, then move, then delete; never delete a target whose source is missing).
//
// Why files in the state folder and not a table: the record describes resources of this host (the
// managed PostgreSQL server's databases, this Docker engine's volumes), and a rollback must be able
// to record its progress when the control-plane database is the thing that failed (issue 12 M6). A
// small JSON file per database, written to a temporary name, fsynced and renamed, is atomic and
// needs nothing but the local disk. One operation per database at a time (an in-process lock).
import { mkdirSync, openSync, fsyncSync, writeSync, closeSync, renameSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { swapJournalDir } from "@slipway/config";

export type SwapRecord =
  | {
      kind: "snapshot-restore";
      /** The production database and its filestore folder, in `volume`. */
      database: string;
      volume: string;
      /** `<db>_pre_<n>`: database and filestore folder put back in place of `database`. */
      snapshot: string;
      /** Where the live filestore is renamed aside before the snapshot's takes its place. */
      asideDir: string;
      phase: "restoring";
      startedAt: string;
    }
  | {
      kind: "restore-swap";
      database: string;
      volume: string;
      /** The prepared database and filestore folder (scratch names) that replace the live ones. */
      incomingDb: string;
      incomingDir: string;
      /** Where the live database and filestore go aside until the swap is committed. */
      asideDb: string;
      asideDir: string;
      containerName: string | null;
      wasRunning: boolean;
      /** swapping: not committed, a recovery rolls back; committed: a recovery finishes (drops the aside copies). */
      phase: "swapping" | "committed";
      startedAt: string;
    };

/** A simulated crash at a step boundary (tests): the operation stops there without any cleanup. */
export class InjectedCrash extends Error {
  constructor(readonly point: string) {
    super(`injected crash at ${point}`);
  }
}

/**
 * Test hook exposed by the production code: `at` is called at every step boundary of the journaled
 * operations (throw InjectedCrash there to simulate the process dying); `helperPoint` names a
 * boundary inside a filestore helper's script where the helper stops (exit 99 → InjectedCrash).
 */
export interface FaultInjector {
  at(point: string): void | Promise<void>;
  helperPoint?: string;
}

// A test entry point (testing/fault-worker.ts) arms this for a whole worker process: it kills itself
// with SIGKILL at the named boundary. Never set in production.
let processFaults: FaultInjector | undefined;

export function injectProcessFaults(faults: FaultInjector): void {
  processFaults = faults;
}

export async function faultAt(faults: FaultInjector | undefined, point: string): Promise<void> {
  const f = faults ?? processFaults;
  if (f) await f.at(point);
}

export function journalDir(home: string): string {
  return swapJournalDir(home);
}

const fileOf = (home: string, database: string) => join(journalDir(home), `${database}.json`);

/** Writes (or replaces) the record of `database` durably: temporary file, fsync, rename, fsync of the folder. */
export function writeSwapRecord(home: string, record: SwapRecord): void {
  const dir = journalDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = fileOf(home, record.database);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(record));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export function readSwapRecord(home: string, database: string): SwapRecord | null {
  try {
    return JSON.parse(readFileSync(fileOf(home, database), "utf8")) as SwapRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export function listSwapRecords(home: string): SwapRecord[] {
  let names: string[];
  try {
    names = readdirSync(journalDir(home));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json"))
    .map((n) => readSwapRecord(home, n.slice(0, -5)))
    .filter((r): r is SwapRecord => r !== null);
}

export function clearSwapRecord(home: string, database: string): void {
  rmSync(fileOf(home, database), { force: true });
}

// One journaled operation per database at a time in this process (the resume at start, a retried
// build and a restore job may reach the same database).
const locks = new Map<string, Promise<unknown>>();

export async function withSwapLock<T>(database: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(database) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  locks.set(database, tail);
  try {
    return await run;
  } finally {
    if (locks.get(database) === tail) locks.delete(database);
  }
}

/** How long a shutdown waits for journaled operations in flight once jobs were stopped. */
export const CRITICAL_SECTION_GRACE_MS = 30_000;

// Critical sections in flight: a shutdown waits for them (renames take seconds) instead of
// exiting half-way; anything longer is left to the resume path (the journal).
const inFlight = new Set<Promise<unknown>>();

export async function criticalSection<T>(fn: () => Promise<T>): Promise<T> {
  const p = fn();
  const settled = p.catch(() => undefined);
  inFlight.add(settled);
  try {
    return await p;
  } finally {
    inFlight.delete(settled);
  }
}

/** Waits until no journaled operation is in progress in this process, at most `timeoutMs`. */
export async function drainCriticalSections(timeoutMs: number): Promise<{ drained: boolean }> {
  const deadline = Date.now() + timeoutMs;
  while (inFlight.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return { drained: false };
    await Promise.race([Promise.all([...inFlight]), new Promise((r) => setTimeout(r, left))]);
  }
  return { drained: true };
}
