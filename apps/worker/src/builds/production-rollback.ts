// Undoing a failed production update: the new server goes, the database and filestore snapshot are
// put back, the previous build's server is started again and takes its route back, and only then
// does the maintenance page go (so visitors see maintenance or production, never an error).
import { findBuildOwnership, verifiedDomainsOfBuildBranch } from "@slipway/db";
import { serverWorkers, volumeName } from "@slipway/domain";
import { inspectContainer, listContainers, startContainer, waitForHttp } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import { platformLine } from "../odoo/driver";
import { projectNetworkIp } from "../isolation/project-network";
import { databaseExists } from "../postgres";
import { dropSnapshot, preUpdateSnapshotName, restoreSnapshot, resumeSnapshotRestore, type SnapshotTarget } from "../odoo/snapshot";
import { InjectedCrash, readSwapRecord, type FaultInjector } from "../recovery/swap-journal";
import { maintenanceRouteId, odooUpstreams, routeIdForBuild } from "../proxy/caddy";
import { buildWorkspace } from "./workspace";
import { removeBuildResources } from "./resources";
import { readBuildStepRows } from "./step-details";

type Target = SnapshotTarget & { snapshot: string; logFile: string; home: string; faults?: FaultInjector };

function note(target: Target, text: string): void {
  try {
    platformLine(target.logFile, `${new Date().toISOString()} rollback: ${text}`);
  } catch {
    // the log folder may be gone; the build row keeps the reason
  }
}

/** Returns the sentence appended to the build's failure reason. */
export async function rollbackProduction(options: {
  deps: WorkerDeps;
  buildId: string;
  hostname: string;
  target: Target;
  previousBuildId: string | null;
  maintenanceRouteId: string;
  snapshotTaken: boolean;
}): Promise<string> {
  const { deps, target } = options;
  const problems: string[] = [];
  await removeBuildResources({ deps, buildId: options.buildId, volumes: [], containers: true, role: "odoo-server" });
  await deps.caddy.removeRoute(routeIdForBuild(options.buildId)).catch(() => undefined);
  if (options.snapshotTaken) {
    try {
      await restoreSnapshot(target);
      note(target, `database ${target.database} and its filestore restored from ${target.snapshot}`);
    } catch (e) {
      if (e instanceof InjectedCrash) throw e;
      problems.push(`the snapshot could not be restored: ${(e as Error).message}`);
      note(target, `RESTORE FAILED: ${(e as Error).message}`);
    }
  } else if (!readSwapRecord(target.home, target.database)) {
    // The update never ran: the database is untouched; a half-taken snapshot is dropped.
    await dropSnapshot(target).catch(() => undefined);
    note(target, "the update did not start: the database was not modified");
  }
  const back = await restartPrevious(deps, options.previousBuildId, options.hostname);
  if (back.ok) note(target, `previous build serves again at ${options.hostname}`);
  else problems.push(back.problem);
  await deps.caddy.removeRoute(options.maintenanceRouteId).catch(() => undefined);
  if (problems.length > 0) {
    deps.logger.error({ problems, buildId: options.buildId }, "production rollback incomplete");
    return `rollback incomplete: ${problems.join("; ")}`;
  }
  return "production was rolled back: the database is back to its state before the update and the previous build serves again";
}

/**
 * After a worker crash inside the critical section: a journaled restore left half-way is completed
 * first (database and filestore), then the snapshot is restored before trying again.
 */
export async function restoreInterruptedUpdate(options: { deps: WorkerDeps; target: Target; snapshotTaken: boolean }): Promise<void> {
  const { target } = options;
  if (await resumeSnapshotRestore({ ...target })) {
    note(target, "an earlier attempt was interrupted while restoring the snapshot: the restore was completed");
    return;
  }
  if (options.snapshotTaken && (await databaseExists({ pg: target.pg, name: target.snapshot }))) {
    note(target, "an earlier attempt was interrupted during the update: restoring the snapshot first");
    await restoreSnapshot(target);
  }
}

async function restartPrevious(
  deps: WorkerDeps,
  buildId: string | null,
  hostname: string,
): Promise<{ ok: true } | { ok: false; problem: string }> {
  if (!buildId) return { ok: false, problem: "there is no previous production build to serve" };
  const [server] = await listContainers({ docker: deps.docker, labels: { build: buildId, role: "odoo-server" }, all: true });
  if (!server) return { ok: false, problem: "the previous build's server container is gone" };
  try {
    const now = await inspectContainer({ docker: deps.docker, id: server.id });
    if (!now?.running) await startContainer({ docker: deps.docker, id: server.id });
    const info = await inspectContainer({ docker: deps.docker, id: server.id });
    const ip = info ? projectNetworkIp(info.networks) : null;
    if (!ip) return { ok: false, problem: "the previous build's server has no address" };
    const health = await waitForHttp({ url: `http://${ip}:8069/web/health`, timeoutMs: 120_000, intervalMs: 250 });
    if (!health.ok) return { ok: false, problem: `the previous build's server is not healthy (${health.status ?? health.error})` };
    const owner = await findBuildOwnership(deps.prisma, buildId);
    if (!owner) return { ok: false, problem: "the previous build is gone" };
    await deps.caddy.upsertRoute({
      id: routeIdForBuild(buildId),
      projectId: owner.projectId,
      hosts: [hostname, ...(await verifiedDomainsOfBuildBranch(deps.prisma, { buildId }))],
      ...odooUpstreams(ip, serverWorkers("production")),
    });
    return { ok: true };
  } catch (e) {
    return { ok: false, problem: `the previous build's server could not be restarted: ${(e as Error).message}` };
  }
}

/**
 * A production build given up after repeated worker crashes: when it had entered the critical
 * section (maintenance page up) without finishing, production is rolled back like after a failure.
 */
export async function recoverAbandonedProductionBuild(
  deps: WorkerDeps,
  build: { id: string; number: number; databaseName: string | null; hostname: string | null },
): Promise<string | null> {
  const steps = await readBuildStepRows(deps.prisma, build.id);
  const entered = steps.state("maintenance") === "succeeded" || steps.state("maintenance") === "running";
  if (!entered || steps.state("route") === "succeeded" || !build.databaseName || !build.hostname) return null;
  const plan = steps.detail("plan");
  const pg = await deps.postgres();
  const target: Target = {
    docker: deps.docker,
    pg,
    toolsImage: deps.config.odooPgImage,
    volume: volumeName({ databaseName: build.databaseName }),
    database: build.databaseName,
    labels: { build: build.id },
    logFile: `${buildWorkspace(deps.config.home, build.id).logs}/update.log`,
    snapshot: preUpdateSnapshotName(build.databaseName, build.number),
    home: deps.config.home,
    faults: deps.faults,
  };
  // A restore the dead worker left half-way is completed before anything else is decided.
  await resumeSnapshotRestore({ ...target });
  return rollbackProduction({
    deps,
    buildId: build.id,
    hostname: build.hostname,
    target,
    previousBuildId: plan?.mode === "update" ? plan.previousBuildId : null,
    maintenanceRouteId: maintenanceRouteId(build.id),
    snapshotTaken: steps.state("snapshot") === "succeeded" && (await databaseExists({ pg, name: target.snapshot })),
  });
}
