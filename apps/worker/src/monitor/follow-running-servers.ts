import { listRunningServers } from "@slipway/db";
import { inspectContainer } from "@slipway/docker";
import { buildWorkspace } from "../builds/workspace";
import type { WorkerDeps } from "../deps";

/**
 * Re-attaches the odoo.log follower of every running build whose server is up and not followed
 * by this process (worker restart, container restarted by its policy). Returns how many were
 * attached. Called by reconcile at worker start and by every Monitor tick.
 */
export async function followRunningServers(
  deps: Pick<WorkerDeps, "prisma" | "docker" | "config" | "serverLogs" | "logger">,
): Promise<number> {
  const builds = await listRunningServers(deps.prisma);
  await deps.serverLogs.renew();
  let attached = 0;
  for (const b of builds) {
    if (deps.serverLogs.has(b.id)) continue;
    try {
      const container = await inspectContainer({ docker: deps.docker, id: b.containerName });
      if (!container?.running || container.labels.build !== b.id) continue;
      if (
        await deps.serverLogs.ensure({
          docker: deps.docker,
          buildId: b.id,
          containerId: container.id,
          logDir: buildWorkspace(deps.config.home, b.id).logs,
        })
      )
        attached++;
    } catch (error) {
      deps.logger.warn({ err: error, buildId: b.id }, "cannot follow the server log");
    }
  }
  return attached;
}
