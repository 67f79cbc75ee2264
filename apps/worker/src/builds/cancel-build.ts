import { isInProgress, type BuildState } from "@slipway/domain";
import { publishProjectNotice } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { killBuildContainers } from "./resources";

/**
 * The `build.cancel` job. A queued build that never started ends at once; a running one has its
 * step container killed, so its pipeline reaches a checkpoint that sees the request and cleans up.
 */
export async function cancelBuild(deps: WorkerDeps, { buildId }: { buildId: string }): Promise<void> {
  const build = await deps.prisma.build.findUnique({
    where: { id: buildId },
    select: { id: true, state: true, projectId: true, startedAt: true },
  });
  if (!build || !isInProgress(build.state as BuildState)) return;
  await deps.prisma.build.updateMany({ where: { id: buildId, cancelRequestedAt: null }, data: { cancelRequestedAt: new Date() } });
  if (build.state === "queued" && !build.startedAt && !deps.running.has(buildId)) {
    const res = await deps.prisma.build.updateMany({
      where: { id: buildId, state: "queued", startedAt: null },
      data: { state: "cancelled", inProgressSlot: null, finishedAt: new Date(), failureReason: "cancelled before it started" },
    });
    if (res.count) {
      await publishProjectNotice(deps.redis, { projectId: build.projectId, buildId, kind: "build" }).catch(() => undefined);
      return;
    }
  }
  deps.running.get(buildId)?.abort();
  await killBuildContainers(deps, buildId);
}
