import { DomainError, inProgressStates } from "@slipway/domain";
import { inspectContainer, listContainers, removeContainer } from "@slipway/docker";
import { projectNetworkIp } from "../isolation/project-network";
import { requeue } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { followRunningServers } from "../monitor/follow-running-servers";
import { odooUpstreams, routeIdForBuild, ROUTE_PREFIX } from "../proxy/caddy";
import { PRODUCTION_WORKERS } from "./production-pipeline";

export interface ReconcileReport {
  resumed: string[];
  removedContainers: number;
  removedRoutes: number;
}

/**
 * Brings rows, jobs, containers and routes back in line after a crash or restart (the database
 * row is the source of truth): interrupted builds are queued again (runBuild resumes them or fails
 * them after repeated interruptions); containers and routes of builds that are not running are
 * removed, and running builds get their route back. Safe to run at any time; builds running in this
 * process are left alone.
 */
export async function reconcile(deps: WorkerDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { resumed: [], removedContainers: 0, removedRoutes: 0 };
  const inProgress = await deps.prisma.build.findMany({ where: { state: { in: [...inProgressStates] } }, select: { id: true } });
  for (const b of inProgress) {
    if (deps.running.has(b.id)) continue;
    // runBuild counts the resumption, removes the interrupted attempt's containers and goes on.
    const { requeued } = await requeue(deps.queues, "build.run", { buildId: b.id });
    if (requeued) report.resumed.push(b.id);
  }

  // Containers of this platform's builds that are neither running nor in progress (found by
  // label). Containers of projects this control plane does not know belong to another Slipway
  // sharing the Docker engine: never touched.
  const live = new Set((await deps.prisma.build.findMany({ where: { state: { in: ["running", ...inProgressStates] } }, select: { id: true } })).map((b) => b.id));
  const projects = new Set((await deps.prisma.project.findMany({ select: { id: true } })).map((p) => p.id));
  for (const c of await listContainers({ docker: deps.docker, labels: { build: true }, all: true })) {
    const id = c.labels.build;
    if (id && c.labels.project && projects.has(c.labels.project) && !live.has(id)) {
      await removeContainer({ docker: deps.docker, id: c.id, force: true }).catch(() => undefined);
      report.removedContainers++;
    }
  }
  // Routes of builds that are not running go; running builds get theirs back (Caddy restarted).
  const runningBuilds = await deps.prisma.build.findMany({ where: { state: "running" }, select: { id: true, projectId: true, hostname: true, stage: true } });
  const running = new Set(runningBuilds.map((b) => b.id));
  const routed = new Set(await deps.caddy.routeIds());
  for (const b of runningBuilds) {
    if (routed.has(routeIdForBuild(b.id)) || !b.hostname) continue;
    const [server] = await listContainers({ docker: deps.docker, labels: { build: b.id, role: "odoo-server" }, all: false });
    const info = server ? await inspectContainer({ docker: deps.docker, id: server.id }) : null;
    const ip = info ? projectNetworkIp(info.networks) : null;
    if (ip) {
      // A hostname another project's route holds is left to it (and logged); the others go on.
      await deps.caddy
        .upsertRoute({ id: routeIdForBuild(b.id), projectId: b.projectId, hosts: [b.hostname], ...odooUpstreams(ip, b.stage === "production" ? PRODUCTION_WORKERS : 0) })
        .catch((e: unknown) => {
          if (!(e instanceof DomainError && e.code === "conflict")) throw e;
          deps.logger.warn({ buildId: b.id, err: e.message }, "route not restored");
        });
    } else {
      await deps.prisma.build.updateMany({ where: { id: b.id, state: "running" }, data: { state: "stopped", stoppedAt: new Date() } });
    }
  }
  // Likewise only routes of this control plane's builds (ids are UUIDs: never ambiguous).
  const routedIds = [...routed].map((r) => r.slice(ROUTE_PREFIX.length)).filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const known = new Set((await deps.prisma.build.findMany({ where: { id: { in: routedIds } }, select: { id: true } })).map((b) => b.id));
  for (const id of routedIds) {
    if (known.has(id) && !running.has(id)) {
      await deps.caddy.removeRoute(routeIdForBuild(id));
      report.removedRoutes++;
    }
  }
  // Running servers' output goes on into odoo.log (from the file's last write: nothing lost).
  await followRunningServers(deps);
  return report;
}
