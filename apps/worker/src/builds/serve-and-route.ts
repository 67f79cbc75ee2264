import { buildAddress } from "@slipway/config";
import { primaryDomainOfBuildBranch, verifiedDomainsOfBuildBranch } from "@slipway/db";
import { serverWorkers, type Stage } from "@slipway/domain";
import { PLATFORM_SERVER_WIDE_MODULES, type WorkerDeps } from "../deps";
import { ensureEgressNetwork } from "../isolation/project-network";
import { pinBaseUrl } from "../odoo/base-url";
import { serve, type OdooContext } from "../odoo/driver";
import type { ManagedPostgres } from "../postgres";
import { odooUpstreams, routeIdForBuild } from "../proxy/caddy";
import { removeBuildResources } from "./resources";
import type { StepRunner } from "./step-runner";
import { StepFailure } from "./step-failure";

export interface ServeOptions {
  deps: WorkerDeps;
  runner: StepRunner;
  build: { id: string; projectId: string };
  /** The server's worker count follows its stage (domain `serverWorkers`). */
  stage: Stage;
  ctx: OdooContext;
  names: { containerName: string; hostname: string };
  /** The mail catcher, for stages that must not send real mail. */
  smtp?: { host: string; port: number };
  /** Whether the server joins the egress network (production only: it sends real mail, calls real APIs). */
  egress?: boolean;
  /** The server holding the build's database when it is not the managed one (a staging clone, ADR 0009). */
  pg?: ManagedPostgres;
}

/**
 * The "start" step: the build's server (never reused from an earlier attempt: a crashed worker may
 * have left a half-started one, which is removed first).
 */
export async function startServer(options: ServeOptions): Promise<{ ip: string }> {
  const { deps, runner, build, ctx, names } = options;
  return runner.step(
    "start",
    async () => {
      // Before the server reads it: Odoo caches system parameters per registry. Production's
      // verified main domain, when it has one, is its address (issue 16). Pinned while a leftover
      // server of an earlier attempt goes and the new one is created; the server starts after it.
      const pinned = primaryDomainOfBuildBranch(deps.prisma, { buildId: build.id }).then(async (main) =>
        pinBaseUrl({
          pg: options.pg ?? (await deps.postgres()),
          database: ctx.database,
          url: buildAddress(deps.config, main ?? names.hostname),
        }),
      );
      // Its failure is the start's (serve reports it); settled before the step ends either way.
      pinned.catch(() => undefined);
      let s;
      try {
        await removeBuildResources({ deps, buildId: build.id, volumes: [], containers: true, role: "odoo-server" });
        s = await serve({
          ctx,
          containerName: names.containerName,
          workers: serverWorkers(options.stage),
          smtp: options.smtp,
          healthTimeoutMs: 120_000,
          serverWideModules: PLATFORM_SERVER_WIDE_MODULES,
          egressNetworks: options.egress ? [await ensureEgressNetwork({ docker: deps.docker })] : undefined,
          startAfter: pinned,
        });
      } finally {
        await pinned.catch(() => undefined);
      }
      // The server keeps writing odoo.log (Logs tab) while it runs: the follower is kept, not stopped.
      if (s.logFollower) deps.serverLogs.adopt(build.id, s.logFollower);
      if (!s.healthy || !s.ip) throw StepFailure.fromRun("start", s.classification);
      return { containerId: s.containerId, ip: s.ip, classification: s.classification };
    },
    false,
  );
}

/** The "route" step: the build's hostname goes to its server (and a route it replaces, such as a maintenance page, goes). */
export async function routeServer(options: ServeOptions & { ip: string; replacesRoute?: string }): Promise<void> {
  const { deps, runner, build, names } = options;
  // The branch's verified custom domains go with its newest build (issue 16): read while the step
  // is recorded (a failure is the step's, where it is awaited).
  const domains = verifiedDomainsOfBuildBranch(deps.prisma, { buildId: build.id });
  domains.catch(() => undefined);
  await runner.step(
    "route",
    async () => {
      await deps.caddy.upsertRoute({
        id: routeIdForBuild(build.id),
        projectId: build.projectId,
        hosts: [names.hostname, ...(await domains)],
        ...odooUpstreams(options.ip, serverWorkers(options.stage)),
      });
      if (options.replacesRoute) await deps.caddy.removeRoute(options.replacesRoute);
      return { hostname: names.hostname };
    },
    false,
  );
}

/** The last two steps of every stage: start the build's server and route its hostname to it. */
export async function serveAndRoute(options: ServeOptions): Promise<{ ip: string }> {
  const server = await startServer(options);
  await routeServer({ ...options, ip: server.ip });
  return server;
}
