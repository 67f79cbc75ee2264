// A production build (docs/product/production-updates-and-backups.md). The database is the project's (`<slug>`, one data volume
// shared by every production build). First build: create it without demo data, install the
// branch's modules, serve, route. Later builds: plan the module changes against the live database,
// then either switch servers without downtime (nothing to update) or run the safe update
// (production-update.ts: maintenance page, snapshot, update, health, automatic rollback).
import { otherProductionBuildInProgress, type Db } from "@slipway/db";
import { combineRunClassifications, DomainError, selectModulesToInstall, serverWorkers } from "@slipway/domain";
import { createDatabase, installModules } from "../odoo/driver";
import { computeChecksums, planModuleChanges, readDatabaseModules, writeAppliedChecksums } from "../odoo/module-plan";
import { databaseExists, dropDatabase, ensureDatabase } from "../postgres";
import { pipelineOutcome, type PipelineInput, type PipelineOutcome, type PlannedStep } from "./pipeline";
import { CODE_STEPS, prepareCode } from "./prepare-code";
import { previousProductionBuild, runProductionUpdate } from "./production-update";
import { removeBuildResources } from "./resources";
import { readStepDetails, type PlanDetail } from "./step-details";
import { StepFailure } from "./step-failure";
import { createStepRunner } from "./step-runner";
import { serveAndRoute } from "./serve-and-route";

/** Production runs prefork: HTTP workers, a cron worker, websocket on the gevent port (8072). */
export const PRODUCTION_WORKERS = serverWorkers("production");

export const PRODUCTION_STEPS: readonly PlannedStep[] = [
  ...CODE_STEPS,
  { name: "plan", state: "fetching" },
  { name: "create_database", state: "creating_database", logFile: "install.log" },
  { name: "install", state: "installing_modules", logFile: "install.log" },
  { name: "backup", state: "updating_modules" },
  { name: "maintenance", state: "updating_modules" },
  { name: "snapshot", state: "updating_modules" },
  { name: "update", state: "updating_modules", logFile: "update.log" },
  { name: "start", state: "starting", logFile: "odoo.log" },
  { name: "route", state: "starting" },
];

export async function runProductionPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { deps, context, recorder, checkpoint } = input;
  const { build, branch, project, names } = context;
  await recorder.update({ databaseName: names.databaseName, containerName: names.containerName, hostname: names.hostname });
  const runner = await createStepRunner({ recorder, checkpoint, plan: PRODUCTION_STEPS });
  return pipelineOutcome(async () => {
    // One production build at a time per project, whatever its branch (the branch's own slot is a
    // database constraint; this covers a production branch that changed while a build ran).
    const other = await otherProductionBuildInProgress(deps.prisma, { projectId: project.id, except: build.id });
    if (other)
      throw new StepFailure(`production build #${other.number} is in progress; this one was refused (one production build at a time)`);

    const code = await prepareCode({ deps, context, recorder, runner });
    const pg = await deps.postgres();
    const ctx = await code.context(names.databaseName, names.volumeName);
    const wanted = selectModulesToInstall({ mode: branch.installMode, modules: code.discovery.modules, list: branch.installModules });
    const repoModules = code.discovery.modules.filter((m) => m.manifest.installable);

    const plan = await runner.step("plan", async (): Promise<PlanDetail> => {
      if (!(await databaseExists({ pg, name: names.databaseName }))) return { mode: "first" };
      const database = await readDatabaseModules({ pg, database: names.databaseName });
      if (!database.modules.has("base"))
        throw new DomainError(
          "invalid_state",
          `the production database ${names.databaseName} exists but has no Odoo modules table content: it is not an Odoo database`,
        );
      const checksums = await computeChecksums({
        checkoutDir: code.ws.src,
        modules: repoModules,
        excludePatterns: project.checksumExcludes,
        languages: database.languages,
      });
      const p = planModuleChanges({
        discovery: code.discovery,
        database,
        series: project.odooVersion,
        rule: project.moduleUpdateRule,
        checksums,
        wanted,
      });
      const previous = await previousProductionBuild(deps, { projectId: project.id, buildId: build.id });
      const requirementsChanged = previous ? previous.requirementsHash !== code.discovery.requirementsHash : false;
      await recorder.update({ modulesToUpdate: [...p.update, ...p.install] });
      return {
        mode: "update",
        update: p.update,
        install: p.install,
        versionChanges: p.versionChanges,
        checksums: p.checksums,
        previousBuildId: previous?.id ?? null,
        requirementsChanged,
        installedBefore: [...database.modules].filter(([, s]) => s.state === "installed").map(([n]) => n),
      };
    });

    if (plan.mode === "update") {
      for (const s of ["create_database", "install"] as const) await runner.skip(s, "the production database exists: it is updated");
      await runProductionUpdate({ input, runner, ctx, names, plan });
      return combineRunClassifications(runner.classifications);
    }

    // First build. Database steps are all-or-nothing: a half-created database from a crashed
    // attempt is dropped (it holds nothing yet: the plan found no production database).
    for (const s of ["backup", "maintenance", "snapshot", "update"] as const)
      await runner.skip(s, "first production build: the database is created");
    if (!(runner.completed("create_database") && (runner.completed("install") || wanted.length === 0))) {
      runner.forget("create_database", "install");
      await dropDatabase({ pg, name: names.databaseName });
      await removeBuildResources({ deps, buildId: build.id, volumes: [names.volumeName], containers: false });
    }
    await runner.step("create_database", async () => {
      // Created empty by the platform, owned by its own role; Odoo fills it (`-i base`).
      await ensureDatabase({ pg, name: names.databaseName });
      const r = await createDatabase({ ctx, withDemo: false });
      if (r.classification.status === "red") throw StepFailure.fromRun("create_database", r.classification);
      return { classification: r.classification, durationMs: r.durationMs };
    });
    if (wanted.length === 0) await runner.skip("install", "the repository has no module to install");
    else {
      await runner.step("install", async () => {
        const r = await installModules({ ctx, modules: wanted, withDemo: false });
        if (r.classification.status === "red") throw StepFailure.fromRun("install", r.classification);
        const database = await readDatabaseModules({ pg, database: names.databaseName });
        const checksums = await computeChecksums({
          checkoutDir: code.ws.src,
          modules: repoModules.filter((m) => database.modules.get(m.name)?.state === "installed"),
          excludePatterns: project.checksumExcludes,
          languages: database.languages,
        });
        await writeAppliedChecksums({ pg, database: names.databaseName, checksums });
        return { modules: wanted, classification: r.classification, durationMs: r.durationMs };
      });
    }
    await serveAndRoute({
      deps,
      runner,
      build,
      ctx,
      names,
      stage: "production",
      egress: true,
    });
    return combineRunClassifications(runner.classifications);
  });
}

/** Whether a failed or cancelled production build may drop the database: only when it created it. */
export async function productionBuildOwnsDatabase(db: Db, buildId: string): Promise<boolean> {
  return (await readStepDetails(db, buildId, "plan"))?.mode === "first";
}
