// Routes follow containers, not IPs (issue 12, H5/H5b). Caddy runs on the host and dials a build's
// server by its address on the project network; Docker hands that address out again as soon as the
// server stops (restore swap, rollback, daemon restart, crash), possibly to another build's
// container. So every route of a running build is re-resolved from the container that carries the
// build's labels — on worker start, on every start/die/destroy of a server container (the engine's
// event stream), after a restore or a restart, and every minute — and a route whose build has no
// running server answers 502 "not running" instead of proxying to an address that may be someone
// else's.
import { listRoutedBuilds } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { inspectContainer, listContainers, watchContainerEvents } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import { PRODUCTION_WORKERS } from "../builds/production-pipeline";
import { projectNetworkName } from "../isolation/project-network";
import { odooUpstreams, routeHosts, routeIdForBuild, routeProjectId, routeUpstreams, type BuildRoute } from "./caddy";
import { applyEdge, edgeSettings } from "./edge";

export const SERVER_ROLE = "odoo-server";
export const ROUTE_REFRESH_EVERY_MS = 60_000;
/** Docker actions after which a server's address may have changed (or be free for someone else). */
export const SERVER_EVENTS = ["start", "die", "destroy"] as const;

export interface RouteRefreshReport {
  /** Routes (re)pointed at their build's server. */
  routed: string[];
  /** Routes switched to the 502 "not running" answer (no running server carries the build's labels). */
  unavailable: string[];
  unchanged: number;
  /** Hostnames another project's route holds: left alone (logged). */
  conflicts: string[];
}

/**
 * The address on its project's network of the running server container of `build`, checked
 * against the container's own labels (build, project, role) right now; null when there is none.
 */
export async function buildServerAddress(
  deps: Pick<WorkerDeps, "docker">,
  build: { id: string; projectId: string; projectSlug: string },
): Promise<string | null> {
  const network = projectNetworkName(build.projectSlug);
  for (const c of await listContainers({ docker: deps.docker, labels: { build: build.id, role: SERVER_ROLE }, all: false })) {
    const info = await inspectContainer({ docker: deps.docker, id: c.id });
    if (!info?.running) continue;
    if (info.labels.build !== build.id || info.labels.project !== build.projectId || info.labels.role !== SERVER_ROLE) continue;
    const ip = info.networks[network];
    if (ip) return ip;
  }
  return null;
}

function sameTarget(
  a: Pick<BuildRoute, "upstream" | "websocketUpstream"> | null,
  b: Pick<BuildRoute, "upstream" | "websocketUpstream"> | null,
): boolean {
  if (a === null || b === null) return a === b;
  return a.upstream === b.upstream && a.websocketUpstream === b.websocketUpstream;
}

function sameHosts(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((h, i) => h.toLowerCase() === b[i]!.toLowerCase());
}

/** Refreshes run one at a time per Caddy client: a decision is never overtaken by an older one. */
const chains = new WeakMap<object, Promise<unknown>>();

/**
 * Re-resolves the route of every running build (or of `buildIds` only) from its server container:
 * pointed at the server's current address when one runs with the build's labels, else answering
 * 502. A route is written only when it differs, and the server is looked up again after a write
 * (a server that stopped meanwhile is caught here, or by the event that follows). Idempotent.
 */
export function refreshRoutes(deps: WorkerDeps, options: { buildIds?: string[] } = {}): Promise<RouteRefreshReport> {
  const previous = chains.get(deps.caddy) ?? Promise.resolve();
  const next = previous.then(
    () => refreshNow(deps, options),
    () => refreshNow(deps, options),
  );
  chains.set(
    deps.caddy,
    next.catch(() => undefined),
  );
  return next;
}

async function refreshNow(deps: WorkerDeps, options: { buildIds?: string[] }): Promise<RouteRefreshReport> {
  const report: RouteRefreshReport = { routed: [], unavailable: [], unchanged: 0, conflicts: [] };
  const builds = await listRoutedBuilds(deps.prisma, options);
  if (builds.length === 0) return report;
  const routes = new Map((await deps.caddy.routes()).map((r) => [String(r["@id"] ?? ""), r]));
  for (const b of builds) {
    const id = routeIdForBuild(b.id);
    // The branch's verified custom domains ride on its newest running build's route (issue 16).
    const route = { id, projectId: b.projectId, hosts: [b.hostname, ...b.domains] };
    const workers = b.stage === "production" ? PRODUCTION_WORKERS : 0;
    const current = routes.get(id);
    let written: Pick<BuildRoute, "upstream" | "websocketUpstream"> | null | undefined;
    // At most three rounds: a server that keeps changing is caught by its next event anyway.
    for (let round = 0; round < 3; round++) {
      const ip = await buildServerAddress(deps, { id: b.id, projectId: b.projectId, projectSlug: b.projectSlug });
      const target = ip ? odooUpstreams(ip, workers) : null;
      if (written !== undefined && sameTarget(written, target)) break;
      if (
        written === undefined &&
        current &&
        routeProjectId(current) === b.projectId &&
        sameHosts(routeHosts(current), route.hosts) &&
        sameTarget(routeUpstreams(current), target)
      ) {
        report.unchanged++;
        break;
      }
      try {
        await deps.caddy.setBuildRoute(route, target);
      } catch (e) {
        if (!(e instanceof DomainError && e.code === "conflict")) throw e;
        deps.logger.warn({ buildId: b.id, err: e.message }, "route not refreshed");
        report.conflicts.push(b.hostname);
        break;
      }
      written = target;
    }
    if (written !== undefined) (written ? report.routed : report.unavailable).push(b.id);
  }
  return report;
}

export interface RouteKeeper {
  /** Asks for a refresh (coalesced with one in flight); resolves when a refresh that started after the call has ended. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps the proxy's edge (edge.ts) applied and routes on their containers while the worker runs: a refresh at start, after every
 * start/die/destroy of a server container (and every time the event stream is re-opened, e.g. after
 * an engine restart), and every `everyMs`.
 */
export function startRouteKeeper(options: { deps: WorkerDeps; everyMs?: number }): RouteKeeper {
  const { deps } = options;
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  // The edge (HTTPS, redirect, the panel's route) first: a Caddy restarted from its base
  // configuration gets it back at the next round, with the build routes.
  const runOnce = (): Promise<void> =>
    applyEdge(deps.caddy, edgeSettings(deps.config))
      .then((changed) => {
        if (changed.length > 0) deps.logger.info({ changed }, "proxy edge applied");
      })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "proxy edge not applied"),
      )
      .then(() => refreshRoutes(deps))
      .then((report) => {
        if (report.routed.length + report.unavailable.length + report.conflicts.length > 0) deps.logger.info(report, "routes refreshed");
      })
      .catch((error: unknown) => deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "route refresh failed"));

  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (!inFlight) {
      inFlight = runOnce().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    // One refresh after the one in flight covers every request made meanwhile.
    queued ??= inFlight.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  };

  const watch = watchContainerEvents({
    docker: deps.docker,
    labels: { role: SERVER_ROLE },
    actions: SERVER_EVENTS,
    onEvent: () => void refresh(),
    onConnected: () => void refresh(),
    onError: (error) => deps.logger.warn({ err: error.message }, "docker event stream interrupted; re-opening it"),
  });
  const timer = setInterval(() => void refresh(), options.everyMs ?? ROUTE_REFRESH_EVERY_MS);
  timer.unref();
  // At once, even when the engine's event stream is slow to connect.
  void refresh();

  return {
    refresh,
    async stop() {
      stopped = true;
      clearInterval(timer);
      watch.stop();
      await queued;
      await inFlight;
    },
  };
}
