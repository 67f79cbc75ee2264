import { stopBuild } from "@slipway/db";
import { publishProjectNotice } from "@slipway/queue";
import { selectBuildsToCollect, type BuildForGc, type BuildState, type GcReason } from "@slipway/domain";
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
  const { prisma } = deps;
  await foldHttpActivity(deps);
  const candidates = await prisma.build.findMany({
    where: {
      stage: { not: "production" },
      state: { in: ["running", "stopped"] },
      databaseName: { not: null },
      events: { none: { kind: GC_EVENT } },
      // A build of a branch with a build in progress may be what that build takes over (staging "update previous").
      branch: { builds: { none: { inProgressSlot: true } } },
    },
    select: {
      id: true,
      projectId: true,
      branchId: true,
      number: true,
      stage: true,
      state: true,
      createdAt: true,
      lastUsedAt: true,
      databaseName: true,
      branch: { select: { pinned: true } },
    },
  });
  const forGc: BuildForGc[] = candidates.map((b) => ({
    id: b.id,
    stage: b.stage,
    state: b.state as BuildState,
    createdAt: b.createdAt,
    lastUsedAt: b.lastUsedAt,
    pinned: b.branch.pinned,
  }));
  const selected = selectBuildsToCollect({ builds: forGc, now, policy: deps.config.gc });
  const byId = new Map(candidates.map((b) => [b.id, b]));
  const report: GcReport = { collected: [], failed: [] };
  for (const item of selected) {
    const build = byId.get(item.id)!;
    try {
      await releaseBuild({ deps: deps as WorkerDeps, build, keepData: false });
      await prisma.$transaction(async (tx) => {
        await stopBuild(tx, build.id, now);
        await tx.event.create({
          data: {
            projectId: build.projectId,
            branchId: build.branchId,
            buildId: build.id,
            kind: GC_EVENT,
            message: `Build #${build.number}: ${item.message}`,
            data: { reason: item.reason, dueAt: item.dueAt.toISOString() },
          },
        });
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

/** Latest Monitor sample with HTTP requests, per build, moved into Build.lastUsedAt when newer. */
async function foldHttpActivity(deps: Deps): Promise<void> {
  const rows = await deps.prisma.metric.groupBy({ by: ["buildId"], where: { requests: { gt: 0 } }, _max: { at: true } });
  for (const row of rows) {
    const at = row._max.at;
    if (!at) continue;
    await deps.prisma.build.updateMany({
      where: { id: row.buildId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
      data: { lastUsedAt: at },
    });
  }
}
