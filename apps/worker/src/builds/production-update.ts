// The safe production update. Nothing to update: the new server starts beside the old one on the
// same database and takes the route once healthy (no downtime). Modules to update or install:
//   update backup (live, when a manifest version or requirements.txt changed) → maintenance page →
//   stop the old server → snapshot (template copy + filestore hard links) → `-i/-u` (update.log) → new server healthy → route → previous build stopped,
//   older snapshots dropped (the last one is kept).
// Any failure from the maintenance page on (red update, unhealthy server, cancel, crash caught
// here) restores the snapshot and brings the previous build back (production-rollback.ts).
import type { BuildResourceNames } from "@slipway/domain";
import { listContainers, stopContainer } from "@slipway/docker";
import { servingProductionBuild, stopBuild, verifiedDomainsOfBuildBranch } from "@slipway/db";
import type { WorkerDeps } from "../deps";
import { applyModulePlan } from "../odoo/apply-module-plan";
import type { OdooContext } from "../odoo/driver";
import { checksumsToRecord, writeAppliedChecksums } from "../odoo/module-plan";
import { databaseExists } from "../postgres";
import { dropSnapshot, listPreUpdateSnapshots, preUpdateSnapshotName, takeSnapshot } from "../odoo/snapshot";
import { maintenanceRouteId } from "../proxy/caddy";
import { failureOf, type PipelineInput } from "./pipeline";
import { rollbackProduction, restoreInterruptedUpdate } from "./production-rollback";
import { takeUpdateBackup } from "./update-backup";
import { releaseBuild } from "./resources";
import { routeServer, startServer, type ServeOptions } from "./serve-and-route";
import { readStepDetails, type ProductionUpdatePlan } from "./step-details";
import { BuildStopped, StepFailure } from "./step-failure";
import { faultAt, InjectedCrash, readSwapRecord } from "../recovery/swap-journal";
import type { StepRunner } from "./step-runner";

/** The production build serving now (running), with the requirements hash of its checkout. */
export async function previousProductionBuild(
  deps: WorkerDeps,
  options: { projectId: string; buildId: string },
): Promise<{ id: string; number: number; requirementsHash: string } | null> {
  const prev = await servingProductionBuild(deps.prisma, { projectId: options.projectId, except: options.buildId });
  if (!prev) return null;
  const discover = await readStepDetails(deps.prisma, prev.id, "discover");
  return { ...prev, requirementsHash: discover?.requirementsHash ?? "" };
}

/**
 * Applies a production plan of mode "update" (see the top of this file). Returns when the new
 * build serves; throws a StepFailure (after rolling back when the update had started) otherwise.
 */
export async function runProductionUpdate(options: {
  input: PipelineInput;
  runner: StepRunner;
  ctx: OdooContext;
  names: BuildResourceNames;
  plan: { mode: "update" } & ProductionUpdatePlan;
}): Promise<void> {
  const { input, runner, ctx, names, plan } = options;
  const { deps } = input;
  const { build } = input.context;
  const pg = await deps.postgres();
  const snapshot = preUpdateSnapshotName(names.databaseName, build.number);
  const target = {
    docker: deps.docker,
    pg,
    toolsImage: deps.config.odooPgImage,
    volume: names.volumeName,
    database: names.databaseName,
    labels: ctx.labels,
    logFile: `${ctx.logDir}/update.log`,
    snapshot,
    home: deps.config.home,
    faults: deps.faults,
  };
  const hasWork = plan.update.length + plan.install.length > 0;
  const serving: ServeOptions = {
    deps,
    runner,
    build,
    stage: "production",
    ctx,
    names,
    egress: true,
  };
  // The build's route replaces the maintenance page (when one was put up).
  const routeTo = (ip: string) => routeServer({ ...serving, ip, replacesRoute: maintenanceRouteId(build.id) });

  if (!hasWork) {
    for (const s of ["backup", "maintenance", "snapshot", "update"] as const)
      await runner.skip(s, "no module to update or install: the new server takes over without downtime");
    const server = await startServer(serving);
    await routeTo(server.ip);
    await stopPrevious(deps, plan.previousBuildId);
    return;
  }

  // An earlier attempt of this build died inside the critical section: put production back first
  // (a journaled snapshot restore left half-way is completed whatever the steps say).
  if ((runner.completed("maintenance") && !runner.completed("route")) || readSwapRecord(deps.config.home, names.databaseName)) {
    await restoreInterruptedUpdate({ deps, target, snapshotTaken: runner.completed("snapshot") });
    runner.forget("maintenance", "snapshot", "backup", "update", "start", "route");
  }

  // Before the maintenance window, from the live database: a failed backup refuses the update
  // while nothing has been touched yet.
  try {
    await runner.step("backup", async () => {
      if (plan.versionChanges.length === 0 && !plan.requirementsChanged)
        return { taken: false, why: "no manifest version nor requirements.txt change" };
      return takeUpdateBackup({ deps, build, previousBuildId: plan.previousBuildId });
    });
  } catch (e) {
    if (e instanceof BuildStopped) throw e;
    const failure = failureOf(e);
    throw new StepFailure(`${failure.reason} — the update was not started; production is unchanged`, failure.offending);
  }

  try {
    await runner.step("maintenance", async () => {
      // The maintenance page covers the branch's verified custom domains too (issue 16).
      const domains = await verifiedDomainsOfBuildBranch(deps.prisma, { buildId: build.id });
      await deps.caddy.upsertMaintenanceRoute({
        id: maintenanceRouteId(build.id),
        projectId: build.projectId,
        hosts: [names.hostname, ...domains],
      });
      // No session may stay open on the database for the template copy: stop the old server.
      const stopped = await stopServers(deps, plan.previousBuildId);
      return { stoppedContainers: stopped };
    });
    await faultAt(deps.faults, "production-update:maintenance");
    await runner.step("snapshot", async () => {
      const r = await takeSnapshot(target);
      return { snapshot, filestoreMode: r.filestoreMode, files: r.files };
    });
    await faultAt(deps.faults, "production-update:snapshot");
    await runner.step("update", async () => {
      const r = await applyModulePlan({ ctx, install: plan.install, update: plan.update });
      if (r.classification.status === "red") throw StepFailure.fromRun("update", r.classification);
      const installedBefore = new Map(plan.installedBefore.map((n) => [n, { state: "installed", latestVersion: null }]));
      await writeAppliedChecksums({
        pg,
        database: names.databaseName,
        checksums: checksumsToRecord(plan, { modules: installedBefore, languages: [], appliedChecksums: {} }),
      });
      return { install: plan.install, update: plan.update, classification: r.classification, durationMs: r.durationMs };
    });
    await faultAt(deps.faults, "production-update:update");
    const server = await startServer(serving);
    await faultAt(deps.faults, "production-update:start");
    await routeTo(server.ip);
  } catch (e) {
    // A shutdown inside the critical section does not start a rollback it could not finish: the
    // build stays in progress behind the maintenance page and the next start resumes it
    // (restoreInterruptedUpdate puts the snapshot back, then the update is tried again).
    if ((e instanceof BuildStopped && e.why === "shutdown") || e instanceof InjectedCrash) throw e;
    const failure = e instanceof BuildStopped ? null : failureOf(e);
    const rolledBack = await rollbackProduction({
      deps,
      buildId: build.id,
      hostname: names.hostname,
      target,
      previousBuildId: plan.previousBuildId,
      maintenanceRouteId: maintenanceRouteId(build.id),
      snapshotTaken: runner.completed("snapshot"),
    });
    if (!failure) throw e;
    throw new StepFailure(`${failure.reason} — ${rolledBack}`, failure.offending);
  }

  await stopPrevious(deps, plan.previousBuildId);
  // Keep the newest snapshot (this update's) for a manual look back; older ones go.
  for (const old of (await listPreUpdateSnapshots({ pg, database: names.databaseName })).filter((n) => n !== snapshot)) {
    await dropSnapshot({ ...target, snapshot: old }).catch((err) =>
      deps.logger.warn({ err: String(err), snapshot: old }, "could not drop an old snapshot"),
    );
  }
  if (!(await databaseExists({ pg, name: snapshot }))) deps.logger.warn({ snapshot }, "the pre-update snapshot vanished");
}

/** Stops (does not remove) the previous build's server containers; they come back on rollback. */
async function stopServers(deps: WorkerDeps, buildId: string | null): Promise<number> {
  if (!buildId) return 0;
  const running = await listContainers({ docker: deps.docker, labels: { build: buildId, role: "odoo-server" }, all: false });
  for (const c of running) await stopContainer({ docker: deps.docker, id: c.id, timeoutSeconds: 20 });
  return running.length;
}

/** The previous production build is stopped for good (its route and containers go; data is shared). */
async function stopPrevious(deps: WorkerDeps, buildId: string | null): Promise<void> {
  if (!buildId) return;
  await releaseBuild({ deps, build: { id: buildId, databaseName: null }, keepData: true });
  await stopBuild(deps.prisma, buildId);
}
