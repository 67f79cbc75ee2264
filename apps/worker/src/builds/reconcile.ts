import { findKnownBuildIds, listBuildsInProgress, listLiveBuildIds, listProjectIds, listRunningBuilds, stopBuild } from "@slipway/db";
import { listContainers, removeContainer } from "@slipway/docker";
import { enqueueBuildRun, jobOptionsFor, type Queues } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { followRunningServers } from "../monitor/follow-running-servers";
import { routeIdForBuild, ROUTE_PREFIX } from "../proxy/caddy";
import { refreshRoutes, SERVER_ROLE, type RouteRefreshReport } from "../proxy/route-keeper";
import { removeStaleRedPages } from "./red-page";

export interface ReconcileReport {
  resumed: string[];
  removedContainers: number;
  removedRoutes: number;
  /** Running builds whose server container is gone altogether: marked stopped. */
  stopped: string[];
  routes: RouteRefreshReport;
}

export const RECONCILE_EVERY_MS = 60_000;
export const RECONCILE_SCHEDULER_ID = "maintenance.reconcile-every-minute";
/** A `queued` build younger than this may still be getting its job from the web app: left alone by the scheduled pass. */
export const QUEUED_GRACE_MS = 60_000;

/**
 * Registers (idempotently) `maintenance.reconcile` every minute with BullMQ's job scheduler. The
 * worker calls it again every minute as well: a flushed Redis loses the scheduler with the jobs.
 */
export async function scheduleReconcile(queues: Queues, everyMs = RECONCILE_EVERY_MS): Promise<void> {
  const { attempts, removeOnComplete, removeOnFail } = jobOptionsFor("maintenance.reconcile", {});
  await queues
    .get("maintenance")
    .upsertJobScheduler(
      RECONCILE_SCHEDULER_ID,
      { every: everyMs },
      { name: "maintenance.reconcile", data: {}, opts: { attempts, removeOnComplete, removeOnFail } },
    );
}

/**
 * Brings rows, jobs, containers and routes back in line after a crash or restart (the database
 * row is the source of truth): builds in progress that no job carries any more and this process
 * does not run (a dead worker, a flushed Redis, a finish that failed) are queued again — runBuild
 * resumes them, records the end again, or fails them and frees the branch's slot after repeated
 * interruptions; containers and routes of builds that are neither running nor in progress are
 * removed; at start, running builds whose server container is gone are stopped; every running
 * build's route is re-resolved from its server container (route-keeper.ts). Safe to run at any time
 * (the worker runs it at start and, `scheduled`, every minute); builds running in this process are
 * left alone. The scheduled pass leaves `queued` builds younger than QUEUED_GRACE_MS to the web (it
 * may be enqueueing them), and stops no build: a server missing for a minute answers 502 until a
 * restart decides (as before, only the start marks such builds stopped).
 */
export async function reconcile(deps: WorkerDeps, options: { scheduled?: boolean } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    resumed: [],
    removedContainers: 0,
    removedRoutes: 0,
    stopped: [],
    routes: { routed: [], unavailable: [], unchanged: 0, conflicts: [] },
  };
  const queuedBefore = new Date(Date.now() - (options.scheduled ? QUEUED_GRACE_MS : 0));
  const inProgress = await listBuildsInProgress(deps.prisma);
  for (const b of inProgress) {
    if (deps.running.has(b.id)) continue;
    if (b.state === "queued" && b.createdAt > queuedBefore) continue;
    // runBuild counts the resumption, removes the interrupted attempt's containers and goes on.
    const { queued } = await enqueueBuildRun(deps.queues, b.id, { resume: true });
    if (queued) report.resumed.push(b.id);
  }

  // Containers of this platform's builds that are neither running nor in progress (found by
  // label). Containers of projects this control plane does not know belong to another Slipway
  // sharing the Docker engine: never touched.
  const live = await listLiveBuildIds(deps.prisma);
  const projects = new Set(await listProjectIds(deps.prisma));
  for (const c of await listContainers({ docker: deps.docker, labels: { build: true }, all: true })) {
    const id = c.labels.build;
    if (id && c.labels.project && projects.has(c.labels.project) && !live.has(id)) {
      await removeContainer({ docker: deps.docker, id: c.id, force: true }).catch(() => undefined);
      report.removedContainers++;
    }
  }
  // At start, running builds whose server container is gone altogether (not merely stopped: a
  // restore or a production update stops it for a while) are stopped; routes follow their servers.
  const runningBuilds = options.scheduled ? [] : await listRunningBuilds(deps.prisma);
  for (const b of runningBuilds) {
    if (!b.hostname) continue;
    const servers = await listContainers({ docker: deps.docker, labels: { build: b.id, role: SERVER_ROLE }, all: true });
    if (servers.length > 0) continue;
    if (await stopBuild(deps.prisma, b.id)) report.stopped.push(b.id);
  }
  report.routes = await refreshRoutes(deps);
  // Routes of builds that are neither running nor in progress go (a build in progress may have routed already).
  const keep = await listLiveBuildIds(deps.prisma);
  const routed = new Set(await deps.caddy.routeIds());
  // Likewise only routes of this control plane's builds (ids are UUIDs: never ambiguous).
  const routedIds = [...routed].map((r) => r.slice(ROUTE_PREFIX.length)).filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const known = await findKnownBuildIds(deps.prisma, routedIds);
  for (const id of routedIds) {
    if (known.has(id) && !keep.has(id)) {
      await deps.caddy.removeRoute(routeIdForBuild(id));
      report.removedRoutes++;
    }
  }
  // Red pages of failed builds that a newer build of their branch has replaced go.
  report.removedRoutes += await removeStaleRedPages(deps);
  // Running servers' output goes on into odoo.log (from the file's last write: nothing lost).
  await followRunningServers(deps);
  return report;
}
