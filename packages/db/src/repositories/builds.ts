import {
  inProgressStates,
  stepStates,
  transitionSources,
  type BuildResult,
  type BuildState,
  type OffendingLine,
  type Stage,
} from "@slipway/domain";
import type { Db, DbTx } from "../client";

// The build repository is the only writer of `Build.state`. Every change is one conditional
// update that requires the build's current state to be one the lifecycle allows the move from
// (`transitionSources` of the domain): a late or concurrent writer finds nothing to change and
// gets `false` back, so a build that ended is never moved again.

export interface QueueBuildInput {
  projectId: string;
  branchId: string;
  revision: string;
  commitMessage?: string | null;
  commitAuthor?: string | null;
}

/** A build just queued, as its starters see it. */
export interface QueuedBuild {
  id: string;
  projectId: string;
  branchId: string;
  number: number;
  stage: Stage;
  state: BuildState;
  revision: string;
}

const queuedBuildFields = { id: true, projectId: true, branchId: true, number: true, stage: true, state: true, revision: true } as const;

/**
 * Creates a queued build for a branch inside the caller's transaction, unless the branch already
 * has one in progress (then returns null: the running build's end picks up the branch head).
 * The branch row is locked first so concurrent pushes serialize; the unique index on
 * (branchId, inProgressSlot) remains the guarantee. The caller enqueues `build.run` after commit
 * (startBuild).
 */
export async function queueBuildInTx(tx: DbTx, input: QueueBuildInput): Promise<QueuedBuild | null> {
  await tx.$queryRaw`SELECT id FROM "Branch" WHERE id = ${input.branchId}::uuid FOR UPDATE`;
  const busy = await tx.build.findFirst({ where: { branchId: input.branchId, inProgressSlot: true }, select: { id: true } });
  if (busy) return null;
  const branch = await tx.branch.findUniqueOrThrow({
    where: { id: input.branchId },
    select: { stage: true, deletingAt: true, project: { select: { deletingAt: true } } },
  });
  // Nothing is built on a branch or a project being deleted (issue 14): its deletion job removes what exists.
  if (branch.deletingAt || branch.project.deletingAt) return null;
  const { nextBuildNumber } = await tx.project.update({
    where: { id: input.projectId },
    data: { nextBuildNumber: { increment: 1 } },
    select: { nextBuildNumber: true },
  });
  return tx.build.create({
    data: {
      projectId: input.projectId,
      branchId: input.branchId,
      number: nextBuildNumber - 1,
      stage: branch.stage,
      revision: input.revision,
      commitMessage: input.commitMessage ?? null,
      commitAuthor: input.commitAuthor ?? null,
      state: "queued",
      inProgressSlot: true,
    },
    select: queuedBuildFields,
  });
}

export function queueBuild(db: Db, input: QueueBuildInput): Promise<QueuedBuild | null> {
  return db.$transaction((tx) => queueBuildInTx(tx, input));
}

/**
 * Moves a build to `to` when the lifecycle allows it from its current state (and, when `from` is
 * given, only from those states); false when nothing changed.
 */
async function transition(
  db: Db | DbTx,
  buildId: string,
  to: BuildState,
  options: { from?: readonly BuildState[]; startedAt?: null; data?: Record<string, unknown> } = {},
): Promise<boolean> {
  const sources = transitionSources(to).filter((s) => !options.from || options.from.includes(s));
  if (sources.length === 0) return false;
  const res = await db.build.updateMany({
    where: { id: buildId, state: { in: sources }, ...(options.startedAt === null ? { startedAt: null } : {}) },
    data: { ...options.data, state: to },
  });
  return res.count === 1;
}

/** A build in progress moves on to the state of its next step; false when it is no longer in progress. */
export function advanceBuild(db: Db, buildId: string, state: BuildState): Promise<boolean> {
  if (!stepStates.includes(state)) return Promise.resolve(false);
  return transition(db, buildId, state);
}

/** Records the first start of a build's run (an interrupted build keeps it: the next run resumes). */
export async function markBuildStarted(db: Db, buildId: string): Promise<void> {
  await db.build.updateMany({ where: { id: buildId, startedAt: null }, data: { startedAt: new Date() } });
}

export interface BuildEnd {
  state: "running" | "failed" | "cancelled";
  result: BuildResult | null;
  reason?: string | null;
  offending?: (OffendingLine & { step: string })[];
}

/** Ends a build in progress and frees its branch's in-progress slot; false when it had already ended. */
export function finishBuild(db: Db, buildId: string, end: BuildEnd): Promise<boolean> {
  return transition(db, buildId, end.state, {
    data: {
      result: end.result,
      failureReason: end.reason ?? null,
      offendingLines: end.offending ? end.offending.map((o) => ({ ...o })) : undefined,
      inProgressSlot: null,
      finishedAt: new Date(),
    },
  });
}

/** A queued build that never started ends cancelled at once; false when it has started meanwhile. */
export function cancelQueuedBuild(db: Db, buildId: string): Promise<boolean> {
  return transition(db, buildId, "cancelled", {
    from: ["queued"],
    startedAt: null,
    data: { inProgressSlot: null, finishedAt: new Date(), failureReason: "cancelled before it started" },
  });
}

/** Records that someone asked to cancel the build (the worker acts on it at its next checkpoint). */
export async function requestBuildCancel(db: Db, buildId: string): Promise<void> {
  await db.build.updateMany({ where: { id: buildId, cancelRequestedAt: null }, data: { cancelRequestedAt: new Date() } });
}

/** A running build is stopped (its server is gone or replaced; the row stays); false when it was not running. */
export function stopBuild(db: Db | DbTx, buildId: string, at: Date = new Date()): Promise<boolean> {
  return transition(db, buildId, "stopped", { data: { stoppedAt: at } });
}

/** What a pipeline learns about its build on the way (names, commit, modules): never its state. */
export interface BuildFacts {
  commitMessage?: string | null;
  commitAuthor?: string | null;
  databaseName?: string | null;
  containerName?: string | null;
  hostname?: string | null;
  modulesToUpdate?: string[];
}

export async function recordBuildFacts(db: Db, buildId: string, facts: BuildFacts): Promise<void> {
  await db.build.updateMany({ where: { id: buildId }, data: facts });
}

/** Where a build stands in its lifecycle (cancel, checkpoints). */
export interface BuildStanding {
  id: string;
  projectId: string;
  state: BuildState;
  startedAt: Date | null;
  cancelRequestedAt: Date | null;
}

export function findBuildStanding(db: Db, buildId: string): Promise<BuildStanding | null> {
  return db.build.findUnique({
    where: { id: buildId },
    select: { id: true, projectId: true, state: true, startedAt: true, cancelRequestedAt: true },
  });
}

/** What the build.run job reads when it picks a build up: the build and who it belongs to. */
export interface BuildToRun {
  id: string;
  number: number;
  stage: Stage;
  state: BuildState;
  revision: string;
  startedAt: Date | null;
  databaseName: string | null;
  hostname: string | null;
  branch: { id: string; name: string };
  project: { id: string; slug: string };
}

export function findBuildToRun(db: Db, buildId: string): Promise<BuildToRun | null> {
  return db.build.findUnique({
    where: { id: buildId },
    select: {
      id: true,
      number: true,
      stage: true,
      state: true,
      revision: true,
      startedAt: true,
      databaseName: true,
      hostname: true,
      branch: { select: { id: true, name: true } },
      project: { select: { id: true, slug: true } },
    },
  });
}

/** The running builds of a branch but one (those a newer build of the branch replaces). */
export function findRunningBuildsOfBranch(
  db: Db,
  options: { branchId: string; except: string },
): Promise<{ id: string; databaseName: string | null }[]> {
  return db.build.findMany({
    where: { branchId: options.branchId, state: "running", id: { not: options.except } },
    select: { id: true, databaseName: true },
  });
}

/** How often a build was resumed after its worker stopped (its `build.resumed` history events). */
export function countBuildResumes(db: Db, buildId: string): Promise<number> {
  return db.event.count({ where: { buildId, kind: "build.resumed" } });
}

export async function findBuildDatabaseName(db: Db, buildId: string): Promise<string | null> {
  return (await db.build.findUnique({ where: { id: buildId }, select: { databaseName: true } }))?.databaseName ?? null;
}

/** Whether the branch already has a build of that revision (in any state). */
export async function hasBuildOfRevision(db: Db, options: { branchId: string; revision: string }): Promise<boolean> {
  return (await db.build.findFirst({ where: { branchId: options.branchId, revision: options.revision }, select: { id: true } })) !== null;
}

/** Builds in progress, oldest information first (reconciliation). */
export function listBuildsInProgress(db: Db): Promise<{ id: string; state: BuildState; createdAt: Date }[]> {
  return db.build.findMany({ where: { state: { in: [...inProgressStates] } }, select: { id: true, state: true, createdAt: true } });
}

/** Ids of the builds that are running or in progress: their containers and routes are kept. */
export async function listLiveBuildIds(db: Db): Promise<Set<string>> {
  const rows = await db.build.findMany({ where: { state: { in: ["running", ...inProgressStates] } }, select: { id: true } });
  return new Set(rows.map((b) => b.id));
}

export function listRunningBuilds(db: Db): Promise<{ id: string; hostname: string | null }[]> {
  return db.build.findMany({ where: { state: "running" }, select: { id: true, hostname: true } });
}

/** Of these ids, those that name a build of this control plane. */
export async function findKnownBuildIds(db: Db, ids: string[]): Promise<Set<string>> {
  return new Set((await db.build.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((b) => b.id));
}

/** Records that someone connected to the build (garbage collection counts it as use). */
export async function markBuildUsed(db: Db, buildId: string, at: Date): Promise<void> {
  await db.build.update({ where: { id: buildId }, data: { lastUsedAt: at } });
}
