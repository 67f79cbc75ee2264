// The garbage collector's data: the builds that still own resources (a database) and could be
// collected, and the Monitor's HTTP activity folded into Build.lastUsedAt (so it outlives the
// samples). Which candidates actually go is the domain's rule (selectBuildsToCollect).
import type { BuildState, Stage } from "@slipway/domain";
import type { Db } from "../client";
import { stopBuild } from "./builds";
import { insertEvent } from "./events";

export interface GcCandidate {
  id: string;
  projectId: string;
  branchId: string;
  number: number;
  stage: Stage;
  state: BuildState;
  createdAt: Date;
  lastUsedAt: Date | null;
  databaseName: string | null;
  pinned: boolean;
}

/**
 * Non-production builds, running or stopped, that still have a database and were not collected
 * yet (no event of kind `collectedEventKind`), on branches without a build in progress (such a
 * build may take over the database: staging "update previous").
 */
export async function listGcCandidates(db: Db, { collectedEventKind }: { collectedEventKind: string }): Promise<GcCandidate[]> {
  const rows = await db.build.findMany({
    where: {
      stage: { not: "production" },
      state: { in: ["running", "stopped"] },
      databaseName: { not: null },
      events: { none: { kind: collectedEventKind } },
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
  return rows.map(({ branch, ...b }) => ({ ...b, pinned: branch.pinned }));
}

/** Latest Monitor sample with HTTP requests, per build, moved into Build.lastUsedAt when newer. */
export async function foldHttpActivityIntoLastUsed(db: Db): Promise<void> {
  const rows = await db.metric.groupBy({ by: ["buildId"], where: { requests: { gt: 0 } }, _max: { at: true } });
  for (const row of rows) {
    const at = row._max.at;
    if (!at) continue;
    await db.build.updateMany({
      where: { id: row.buildId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
      data: { lastUsedAt: at },
    });
  }
}

/**
 * A collected build, in one transaction: stopped when it was still running (through the build
 * repository, the only writer of build state) and marked by the history event of kind
 * `event.kind` that keeps it out of later passes.
 */
export async function recordBuildCollected(
  db: Db,
  collected: {
    buildId: string;
    projectId: string;
    branchId: string;
    at: Date;
    event: { kind: string; message: string; data: Record<string, unknown> };
  },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await stopBuild(tx, collected.buildId, collected.at);
    await insertEvent(tx, {
      projectId: collected.projectId,
      branchId: collected.branchId,
      buildId: collected.buildId,
      kind: collected.event.kind,
      message: collected.event.message,
      data: collected.event.data,
    });
  });
}
