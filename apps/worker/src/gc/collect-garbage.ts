import { publishProjectNotice } from "@slipway/queue";
import { foldHttpActivityIntoLastUsed, listGcCandidates, recordBuildCollected } from "@slipway/db";
import { selectBuildsToCollect, type BuildForGc, type GcReason } from "@slipway/domain";
import { releaseBuild } from "../builds/resources";
import type { WorkerDeps } from "../deps";

export interface GcReport {
  collected: { id: string; reason: GcReason }[];
  failed: { id: string; error: string }[];
}

/** Event kind marking a build whose databases and containers the collector removed. */
export const GC_EVENT = "build.gc";

type Deps = Pick<WorkerDeps, "prisma" | "config" | "logger" | "redis" | "docker" | "caddy" | "postgres">;

/**
 * One garbage-collection pass (job `maintenance.gc`, hourly): applies `selectBuildsToCollect`
 * (development builds idle for SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS, staging builds older than
 * SLIPWAY_GC_STAGING_MAX_AGE_DAYS; never production, pinned branches or in-progress builds) to the
 * builds that still own resources, removes their route, containers, database and volume, and keeps
 * the row (state stopped) with a history Event saying why. Use comes from `lastUsedAt` (Connect)
 * and from the Monitor's HTTP request samples, folded into `lastUsedAt` first so it outlives them.
 */
export async function collectGarbage(deps: Deps, options: { now?: Date } = {}): Promise<GcReport> {
  const now = options.now ?? new Date();
  await foldHttpActivityIntoLastUsed(deps.prisma);
  const candidates = await listGcCandidates(deps.prisma, { collectedEventKind: GC_EVENT });
  const forGc: BuildForGc[] = candidates.map((b) => ({
    id: b.id,
    stage: b.stage,
    state: b.state,
    createdAt: b.createdAt,
    lastUsedAt: b.lastUsedAt,
    pinned: b.pinned,
  }));
  const selected = selectBuildsToCollect({ builds: forGc, now, policy: deps.config.gc });
  const byId = new Map(candidates.map((b) => [b.id, b]));
  const report: GcReport = { collected: [], failed: [] };
  for (const item of selected) {
    const build = byId.get(item.id)!;
    try {
      await releaseBuild({ deps: deps as WorkerDeps, build, keepData: false });
      await recordBuildCollected(deps.prisma, {
        buildId: build.id,
        projectId: build.projectId,
        branchId: build.branchId,
        at: now,
        event: {
          kind: GC_EVENT,
          message: `Build #${build.number}: ${item.message}`,
          data: { reason: item.reason, dueAt: item.dueAt.toISOString() },
        },
      });
      report.collected.push({ id: build.id, reason: item.reason });
      await publishProjectNotice(deps.redis, { projectId: build.projectId, buildId: build.id, kind: "build" }).catch(() => undefined);
    } catch (error) {
      deps.logger.error({ err: error, buildId: build.id }, "garbage collection of a build failed; retried on the next pass");
      report.failed.push({ id: build.id, error: (error as Error).message });
    }
  }
  return report;
}
