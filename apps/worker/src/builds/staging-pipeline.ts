// A staging build (docs/product/builds-and-tests.md, staging-neutralization.md): a fresh copy of production (from the staging source, see
// odoo/staging-source.ts and ADR 0002) → neutralization + verification (refused when it fails) →
// install/update of the modules that differ from production (the production rule) → serve with
// mail to the catcher → route. Push behaviour "update previous build": the previous staging
// build's database is taken over (renamed to this build's, filestore moved): no copy, no new
// neutralization (verified again), just the update and a restart.
import { combineRunClassifications, decideNewCommit, selectModulesToInstall, volumeName, type BuildResourceNames } from "@slipway/domain";
import { forgetBuildDatabase, latestProductionFinish, stagingBuildsWithDatabase, stopBuild } from "@slipway/db";
import { type WorkerDeps } from "../deps";
import { applyModulePlan } from "../odoo/apply-module-plan";
import { filestoreOperation } from "../odoo/copy-filestore";
import { mailCatcherAddress } from "../odoo/mail-catcher-address";
import { checksumsToRecord, computeChecksums, planModuleChanges, readDatabaseModules, writeAppliedChecksums } from "../odoo/module-plan";
import { neutralizeDatabase, readDatabaseUuid, verifyNeutralization } from "../odoo/neutralize-database";
import { databaseCredentials, databaseExists, dropDatabase, renameDatabase } from "../postgres";
import { copyProductionForStagingBuild } from "../odoo/staging-source";
import { dropStagingClone, postgresFor, stagingCloneBackend, takeOverStagingClone } from "../odoo/staging-clones";
import { pipelineOutcome, type PipelineInput, type PipelineOutcome, type PlannedStep } from "./pipeline";
import { CODE_STEPS, prepareCode } from "./prepare-code";
import { releaseBuild, removeBuildResources } from "./resources";
import { StepFailure } from "./step-failure";
import { createStepRunner } from "./step-runner";
import { serveAndRoute } from "./serve-and-route";
/** Default: every staging build copies production as it is now (ADR 0002). */
export const DEFAULT_STAGING_SOURCE_MAX_AGE_MS = 0;

export const STAGING_STEPS: readonly PlannedStep[] = [
  ...CODE_STEPS,
  { name: "copy", state: "copying_production" },
  { name: "neutralize", state: "neutralizing", logFile: "neutralize.log" },
  { name: "update", state: "updating_modules", logFile: "update.log" },
  { name: "start", state: "starting", logFile: "odoo.log" },
  { name: "route", state: "starting" },
];

export async function runStagingPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { deps, context, recorder, checkpoint } = input;
  const { build, branch, project, names } = context;
  await recorder.update({ databaseName: names.databaseName, containerName: names.containerName, hostname: names.hostname });
  const runner = await createStepRunner({ recorder, checkpoint, plan: STAGING_STEPS });
  return pipelineOutcome(async () => {
    const code = await prepareCode({ deps, context, recorder, runner });
    const pg = await deps.postgres();
    const ctx = await code.context(names.databaseName, names.volumeName);
    const production = { database: project.slug, volume: volumeName({ databaseName: project.slug }) };
    const catcher = await mailCatcherAddress(deps, await code.network());
    const wanted = selectModulesToInstall({ mode: branch.installMode, modules: code.discovery.modules, list: branch.installModules });

    // A copy interrupted half-way is redone from scratch.
    if (!runner.completed("copy")) {
      await dropStagingClone(deps, names.databaseName);
      await dropDatabase({ pg, name: names.databaseName });
    }
    const copy = await runner.step("copy", async () => {
      const previous = decideNewCommit({ stage: build.stage, pushBehavior: branch.pushBehavior }).takeOverPrevious
        ? await previousStagingBuild(deps, { branchId: branch.id, buildId: build.id })
        : null;
      if (previous) {
        await takeOver({ deps, labels: ctx.labels, previous, names, network: ctx.network });
        const oldUuid = await readDatabaseUuid({ pg, database: production.database }).catch(() => "");
        return { mode: "reuse", from: previous.id, oldUuid };
      }
      const r = await copyProductionForStagingBuild({
        docker: deps.docker,
        pg,
        toolsImage: deps.config.odooPgImage,
        cloneImage: deps.config.odooPgImage,
        ...production,
        maxAgeMs: deps.stagingSourceMaxAgeMs ?? DEFAULT_STAGING_SOURCE_MAX_AGE_MS,
        notBefore: await latestProductionFinish(deps.prisma, project.id),
        target: { database: names.databaseName, volume: names.volumeName },
        labels: ctx.labels,
        clones: () => stagingCloneBackend(deps),
        network: ctx.network,
      });
      const oldUuid = await readDatabaseUuid({ pg: r.pg ?? pg, database: names.databaseName });
      return {
        mode: "copy",
        // clone: a snapshot of the standby, in the build's own cluster (ADR 0009); dump/template: ADR 0002.
        copyMode: r.copyMode,
        ...(r.fallback ? { cloneFallback: r.fallback } : {}),
        ...(r.clone ? { clone: r.clone } : {}),
        oldUuid,
        sourceTakenAt: r.takenAt.toISOString(),
        sourceRefreshed: r.refreshed,
        refreshMs: r.durationMs,
        copyMs: r.copyMs,
        filestoreMode: r.filestoreMode,
        files: r.files,
      };
    });

    // Clone mode: the staging database lives in its own cluster; everything below reaches it there.
    const dbPg = await postgresFor(deps, names.databaseName);
    const dbCtx = dbPg === pg ? ctx : { ...ctx, db: databaseCredentials(dbPg, names.databaseName) };

    await runner.step("neutralize", async () => {
      if (copy.mode === "reuse") {
        const v = await verifyNeutralization({
          pg: dbPg,
          database: names.databaseName,
          catcher,
          oldUuid: copy.oldUuid,
          logFile: `${ctx.logDir}/neutralize.log`,
        });
        if (v.failed.length > 0) throw new StepFailure(`neutralization verification failed: ${v.failed.join("; ")}`);
        return { reused: true, checks: v.checks };
      }
      const n = await neutralizeDatabase({ ctx: dbCtx, pg: dbPg, odooVersion: project.odooVersion, catcher, oldUuid: copy.oldUuid });
      if (!n.ok) throw new StepFailure(n.reason, n.offending);
      return { newUuid: n.newUuid, odooNeutralize: n.odooNeutralize, checks: n.checks, classification: n.classification };
    });

    await runner.step("update", async () => {
      const database = await readDatabaseModules({ pg: dbPg, database: names.databaseName });
      const repoModules = code.discovery.modules.filter((m) => m.manifest.installable);
      const checksums = await computeChecksums({
        checkoutDir: code.ws.src,
        modules: repoModules,
        excludePatterns: project.checksumExcludes,
        languages: database.languages,
      });
      const plan = planModuleChanges({
        discovery: code.discovery,
        database,
        series: project.odooVersion,
        rule: project.moduleUpdateRule,
        checksums,
        wanted,
      });
      await recorder.update({ modulesToUpdate: [...plan.update, ...plan.install] });
      if (plan.update.length + plan.install.length === 0) return { update: [], install: [], note: "same modules as production" };
      const r = await applyModulePlan({ ctx: dbCtx, install: plan.install, update: plan.update });
      if (r.classification.status === "red") throw StepFailure.fromRun("update", r.classification);
      await writeAppliedChecksums({ pg: dbPg, database: names.databaseName, checksums: checksumsToRecord(plan, database) });
      return { update: plan.update, install: plan.install, classification: r.classification, durationMs: r.durationMs };
    });

    await serveAndRoute({ deps, runner, build, ctx: dbCtx, pg: dbPg, names, stage: "staging", smtp: catcher });
    return combineRunClassifications(runner.classifications);
  });
}

/** The branch's latest staging build whose database still exists (running or stopped). */
async function previousStagingBuild(
  deps: WorkerDeps,
  options: { branchId: string; buildId: string },
): Promise<{ id: string; databaseName: string } | null> {
  const pg = await deps.postgres();
  const candidates = await stagingBuildsWithDatabase(deps.prisma, { branchId: options.branchId, except: options.buildId, take: 3 });
  for (const c of candidates) {
    // On the managed server, or in a staging cluster of its own (ADR 0009).
    const server = await postgresFor(deps, c.databaseName).catch(() => pg);
    if (await databaseExists({ pg: server, name: c.databaseName })) return c;
  }
  return null;
}

/** Stops the previous build and moves its database and filestore under this build's names. */
async function takeOver(options: {
  deps: WorkerDeps;
  labels: Record<string, string>;
  previous: { id: string; databaseName: string };
  names: BuildResourceNames;
  /** The project's network (a staging cluster joins it under its new name). */
  network: string;
}): Promise<void> {
  const { deps, previous, names } = options;
  const pg = await deps.postgres();
  await releaseBuild({ deps, build: { id: previous.id, databaseName: null }, keepData: true });
  await stopBuild(deps.prisma, previous.id);
  const moved = await takeOverStagingClone(deps, { from: previous.databaseName, to: names.databaseName, network: options.network });
  if (!moved) await renameDatabase({ pg, from: previous.databaseName, to: names.databaseName });
  const fromVolume = volumeName({ databaseName: previous.databaseName });
  await filestoreOperation({
    docker: deps.docker,
    toolsImage: deps.config.odooPgImage,
    op: "move",
    source: { volume: fromVolume, database: previous.databaseName },
    target: { volume: names.volumeName, database: names.databaseName },
    labels: options.labels,
  });
  await removeBuildResources({ deps, buildId: previous.id, containers: false, volumes: [fromVolume] });
  await forgetBuildDatabase(deps.prisma, previous.id);
}
