import { cancelQueuedBuild, findBuildStanding, requestBuildCancel } from "@slipway/db";
import { isInProgress } from "@slipway/domain";
import { publishProjectNotice } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { killBuildContainers } from "./resources";

/**
 * The `build.cancel` job. A queued build that never started ends at once; a running one has its
 * step container killed, so its pipeline reaches a checkpoint that sees the request and cleans up.
 */
export async function cancelBuild(deps: WorkerDeps, { buildId }: { buildId: string }): Promise<void> {
  const build = await findBuildStanding(deps.prisma, buildId);
  if (!build || !isInProgress(build.state)) return;
  await requestBuildCancel(deps.prisma, buildId);
  if (build.state === "queued" && !build.startedAt && !deps.running.has(buildId)) {
    if (await cancelQueuedBuild(deps.prisma, buildId)) {
      await publishProjectNotice(deps.redis, { projectId: build.projectId, buildId, kind: "build" }).catch(() => undefined);
      return;
    }
  }
  deps.running.get(buildId)?.abort();
  await killBuildContainers(deps, buildId);
}
