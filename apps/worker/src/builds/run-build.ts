import {
  countBuildResumes,
  findBranchHeadState,
  findBuildDatabaseName,
  findBuildStanding,
  findBuildToRun,
  findRunningBuildsOfBranch,
  hasBuildOfRevision,
  loadBuildContext,
  queueBuild,
  stopBuild,
} from "@slipway/db";
import { decideFollowUp, isInProgress, startBuild, type Stage } from "@slipway/domain";
import { enqueueBuildRun } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { runDevelopmentPipeline } from "./development-pipeline";
import { productionBuildOwnsDatabase, runProductionPipeline } from "./production-pipeline";
import { recoverAbandonedProductionBuild } from "./production-rollback";
import { platformOutage } from "./platform-outage";
import { runStagingPipeline } from "./staging-pipeline";
import { showRedBuildPage } from "./red-page";
import { queueCommitStatus } from "../github/commit-status";
import { BuildRecorder } from "./recorder";
import { killBuildContainers, releaseBuild, removeBuildResources } from "./resources";
import { BuildStopped } from "./step-failure";

/** After this many interrupted attempts a build is failed instead of resumed again. */
export const MAX_RESUMES = 2;

/**
 * The `build.run` job. Re-reads the build row (the queue carries only its id), runs the pipeline
 * of its stage and records the end: running (green/yellow) or failed (red, with the offending
 * lines), or cancelled. Idempotent: a build that already ended is left alone.
 */
export async function runBuild(deps: WorkerDeps, { buildId, signal }: { buildId: string; signal: AbortSignal }): Promise<void> {
  // The pipeline's context is read at the same time (one round trip instead of two in a row); a
  // build that is gone or ended makes it fail, which changes nothing: it is not used then.
  const [build, context] = await Promise.all([
    findBuildToRun(deps.prisma, buildId),
    loadBuildContext(deps.prisma, buildId).catch(() => null),
  ]);
  if (!build || !isInProgress(build.state)) return;
  const { branch, project } = build;
  const recorder = new BuildRecorder(deps.prisma, deps.redis, build.id, project.id);
  const cancel = new AbortController();
  deps.running.set(build.id, cancel);
  const log = deps.logger.child({ buildId, project: project.slug, branch: branch.name, number: build.number });

  const checkpoint = async () => {
    if (signal.aborted) throw new BuildStopped("shutdown");
    const row = await findBuildStanding(deps.prisma, buildId);
    if (cancel.signal.aborted || !row || row.cancelRequestedAt || row.state === "cancelled") throw new BuildStopped("cancelled");
  };

  try {
    if (build.startedAt) {
      // An earlier attempt was interrupted (worker crash or restart): resume, unless it keeps dying.
      const resumes = await countBuildResumes(deps.prisma, buildId);
      await removeBuildResources({ deps, buildId, containers: true, volumes: [] });
      if (resumes >= MAX_RESUMES) {
        const rolledBack =
          build.stage === "production"
            ? await recoverAbandonedProductionBuild(deps, build).catch((e) => `rollback failed: ${(e as Error).message}`)
            : null;
        await releaseAfterBadEnd(deps, build, { databaseName: build.databaseName, tolerant: true });
        if (
          await recorder.finish({
            state: "failed",
            result: "red",
            reason: `the worker stopped ${resumes + 1} times during this build${rolledBack ? ` — ${rolledBack}` : ""}`,
          })
        )
          await queueCommitStatus(deps, build.id, "infrastructure");
        return;
      }
      await recorder.event("build.resumed", `Build #${build.number} resumed after the worker stopped`, branch.id);
      log.warn({ resumes: resumes + 1 }, "resuming an interrupted build");
    }
    // GitHub commit status (a queued job of its own: never delays nor changes the build, and a
    // pending status that comes after the build's end is skipped), queued while the start is recorded.
    await Promise.all([recorder.markStarted(), queueCommitStatus(deps, build.id, "pending")]);
    log.info("build started");
    const pipeline =
      build.stage === "production" ? runProductionPipeline : build.stage === "staging" ? runStagingPipeline : runDevelopmentPipeline;
    const outcome = await pipeline({
      deps,
      context: context ?? (await loadBuildContext(deps.prisma, build.id)),
      recorder,
      checkpoint,
      resumed: Boolean(build.startedAt),
    });
    if (outcome.ok) {
      const c = outcome.classification;
      // Red here: the server runs although a run was red (tests failed on an installed database).
      const result = c.status;
      const reason = result === "red" ? c.reasons.join("; ") : undefined;
      if (await recorder.finish({ state: "running", result, reason, offending: c.offending.map((o) => ({ ...o, step: o.run })) })) {
        await recorder.event("build.ready", `Build #${build.number} is ${result} and running`, branch.id);
        await queueCommitStatus(deps, build.id, result);
        await stopOlderBuilds(deps, { branchId: branch.id, keepBuildId: build.id });
      }
      log.info({ result }, "build running");
    } else {
      const outage = await outageToWaitFor(deps, build);
      if (outage) return await leaveForResume({ recorder, log, build, branchId: branch.id, outage });
      await releaseAfterBadEnd(deps, build, { databaseName: await findBuildDatabaseName(deps.prisma, build.id), tolerant: false });
      if (await recorder.finish({ state: "failed", result: "red", reason: outcome.reason, offending: outcome.offending }))
        await queueCommitStatus(deps, build.id, "red");
      await recorder.event("build.failed", `Build #${build.number} is red: ${outcome.reason.slice(0, 200)}`, branch.id);
      await showRedBuildPage(deps, build.id, outcome);
      log.info({ reason: outcome.reason }, "build red");
    }
  } catch (e) {
    if (e instanceof BuildStopped && e.why === "shutdown") {
      // Left in progress on purpose: the next worker start resumes it (reconcile).
      log.warn("build interrupted by shutdown; it resumes at the next start");
      throw e;
    }
    const outage = e instanceof BuildStopped ? null : await outageToWaitFor(deps, build);
    if (outage) return await leaveForResume({ recorder, log, build, branchId: branch.id, outage });
    await killBuildContainers(deps, build.id);
    await releaseAfterBadEnd(deps, build, { databaseName: await findBuildDatabaseName(deps.prisma, build.id), tolerant: true });
    if (e instanceof BuildStopped) {
      if (await recorder.finish({ state: "cancelled", result: null, reason: "cancelled" }))
        await queueCommitStatus(deps, build.id, "cancelled");
      await recorder.event("build.cancelled", `Build #${build.number} was cancelled`, branch.id);
      log.info("build cancelled");
    } else {
      log.error({ err: e }, "build crashed");
      if (await recorder.finish({ state: "failed", result: "red", reason: `internal error: ${(e as Error).message}` }))
        await queueCommitStatus(deps, build.id, "infrastructure");
    }
  } finally {
    deps.running.delete(build.id);
  }
  await buildBranchHeadIfMoved(deps, { branchId: branch.id, builtRevision: build.revision, builtStage: build.stage });
}

/**
 * A development or staging build that fails while the platform is down (the Docker engine or the
 * Odoo PostgreSQL server not answering: a restart, an outage) did not fail because of its commit.
 * The reason, or null when the platform answers (the failure is the build's own). Production
 * builds keep their own ending: their pipeline has already rolled the update back.
 */
async function outageToWaitFor(deps: WorkerDeps, build: { stage: string }): Promise<string | null> {
  if (build.stage === "production") return null;
  return platformOutage(deps).catch((e: Error) => e.message);
}

/**
 * Leaves the build in progress, as a shutdown does: the scheduled reconciliation queues it again
 * (within a minute), and runBuild resumes it from the start, bounded by MAX_RESUMES. Its branch's
 * newer pushes wait for that resumed run's end.
 */
async function leaveForResume(options: {
  recorder: BuildRecorder;
  log: WorkerDeps["logger"];
  build: { number: number };
  branchId: string;
  outage: string;
}): Promise<void> {
  const { recorder, log, build, branchId, outage } = options;
  log.warn({ outage }, "build interrupted by a platform outage; it resumes when the platform answers again");
  await recorder
    .event("build.interrupted", `Build #${build.number} was interrupted by a platform outage (${outage}); it resumes by itself`, branchId)
    .catch(() => undefined);
}

/**
 * The one cleanup of a build that ends without running (red, cancelled, crashed, or given up
 * after repeated interruptions): its containers and route go, and its database and filestore too
 * when the build owns them (see ownsDatabase). `tolerant` (after a crash, or when giving up)
 * carries on past a cleanup that fails: the build is recorded as ended all the same.
 */
async function releaseAfterBadEnd(
  deps: WorkerDeps,
  build: { id: string; stage: string },
  options: { databaseName: string | null; tolerant: boolean },
): Promise<void> {
  const owns = ownsDatabase(deps, build);
  const keepData = !(await (options.tolerant ? owns.catch(() => false) : owns));
  const release = releaseBuild({ deps, build: { id: build.id, databaseName: options.databaseName }, keepData });
  await (options.tolerant ? release.catch(() => undefined) : release);
}

/**
 * Whether ending this build badly may drop its database: development and staging databases belong
 * to their build; the production database belongs to the project (only the build that created it,
 * a first production build, may drop it when that creation fails).
 */
async function ownsDatabase(deps: WorkerDeps, build: { id: string; stage: string }): Promise<boolean> {
  if (build.stage !== "production") return true;
  return productionBuildOwnsDatabase(deps.prisma, build.id);
}

/** Older development builds of the branch are stopped, not deleted: their database stays (GC later). */
async function stopOlderBuilds(deps: WorkerDeps, { branchId, keepBuildId }: { branchId: string; keepBuildId: string }): Promise<void> {
  for (const b of await findRunningBuildsOfBranch(deps.prisma, { branchId, except: keepBuildId })) {
    await releaseBuild({ deps, build: b, keepData: true });
    await stopBuild(deps.prisma, b.id);
  }
}

/**
 * Pushes that arrived while this build ran are built now (the newest head only); a branch moved to
 * staging or production meanwhile gets its new stage's build (decideFollowUp).
 */
async function buildBranchHeadIfMoved(
  deps: WorkerDeps,
  { branchId, builtRevision, builtStage }: { branchId: string; builtRevision: string; builtStage: Stage },
): Promise<void> {
  const branch = await findBranchHeadState(deps.prisma, branchId);
  const next = branch ? decideFollowUp(branch, { revision: builtRevision, stage: builtStage }) : "none";
  if (!branch?.headRevision || next === "none") return;
  const revision = branch.headRevision;
  if (next === "head_moved" && (await hasBuildOfRevision(deps.prisma, { branchId, revision }))) return;
  await startBuild(
    (id) => enqueueBuildRun(deps.queues, id),
    () => queueBuild(deps.prisma, { projectId: branch.projectId, branchId, revision }),
    (next) => next,
  );
}
