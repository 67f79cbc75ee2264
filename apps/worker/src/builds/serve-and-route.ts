import type { Build } from "@slipway/db";
import { PLATFORM_SERVER_WIDE_MODULES, type WorkerDeps } from "../deps";
import { serve, type OdooContext } from "../odoo/driver";
import { odooUpstreams, routeIdForBuild } from "../proxy/caddy";
import { removeBuildResources } from "./resources";
import { asJson, failureFrom, type StepRunner } from "./step-runner";

/**
 * The last two steps of every stage: start the build's server (never reused from an earlier
 * attempt: a crashed worker may have left a half-started one) and route its hostname to it.
 */
export async function serveAndRoute(options: {
  deps: WorkerDeps;
  runner: StepRunner;
  build: Pick<Build, "id" | "projectId">;
  ctx: OdooContext;
  names: { containerName: string; hostname: string };
  /** 0 = threaded (websocket on the HTTP port); > 0 = prefork with the gevent port. */
  workers: number;
  /** The mail catcher, for stages that must not send real mail. */
  smtp?: { host: string; port: number };
  /** Networks with egress (production only). */
  egressNetworks?: readonly string[];
}): Promise<{ ip: string }> {
  const { deps, runner, build, ctx, names, workers } = options;
  const server = (await runner.step(
    "start",
    async () => {
      await removeBuildResources({ deps, buildId: build.id, volumes: [], containers: true, role: "odoo-server" });
      const s = await serve({
        ctx,
        containerName: names.containerName,
        workers,
        smtp: options.smtp,
        healthTimeoutMs: 120_000,
        serverWideModules: PLATFORM_SERVER_WIDE_MODULES,
        egressNetworks: options.egressNetworks,
      });
      // The server keeps writing odoo.log (Logs tab) while it runs: the follower is kept, not stopped.
      if (s.logFollower) deps.serverLogs.adopt(build.id, s.logFollower);
      if (!s.healthy || !s.ip) return failureFrom("start", s.classification);
      return { detail: { containerId: s.containerId, ip: s.ip, classification: asJson(s.classification) } };
    },
    false,
  )) as { ip: string };
  await runner.step(
    "route",
    async () => {
      await deps.caddy.upsertRoute({
        id: routeIdForBuild(build.id),
        projectId: build.projectId,
        hosts: [names.hostname],
        ...odooUpstreams(server.ip, workers),
      });
      return { detail: { hostname: names.hostname } };
    },
    false,
  );
  return server;
}
