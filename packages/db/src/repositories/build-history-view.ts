// Read model of a build's History tab: its branch, the branch's newest builds (one commit each)
// and the branch's newest history events.
import type { BuildResult, BuildState, Stage } from "@slipway/domain";
import type { Db } from "../client";

export interface HistoryBuild {
  id: string;
  number: number;
  revision: string;
  commitMessage: string | null;
  commitAuthor: string | null;
  state: BuildState;
  result: BuildResult | null;
  createdAt: Date;
}

export interface HistoryEvent {
  kind: string;
  message: string;
  /** The event's JSON details as stored (a push carries `{ revision }`). */
  data: unknown;
  createdAt: Date;
  actor: { login: string } | null;
}

export interface BuildHistoryView {
  branch: { name: string; stage: Stage };
  /** Newest first. */
  builds: HistoryBuild[];
  /** Newest first. */
  events: HistoryEvent[];
}

/** The history of a branch, at most `limit` builds and `limit` events. Throws when the branch is gone. */
export async function loadBranchHistory(db: Db, { branchId, limit }: { branchId: string; limit: number }): Promise<BuildHistoryView> {
  const [branch, builds, events] = await Promise.all([
    db.branch.findUniqueOrThrow({ where: { id: branchId }, select: { name: true, stage: true } }),
    db.build.findMany({
      where: { branchId },
      orderBy: { createdAt: "desc" },
      take: limit,
      select: {
        id: true,
        number: true,
        revision: true,
        commitMessage: true,
        commitAuthor: true,
        state: true,
        result: true,
        createdAt: true,
      },
    }),
    db.event.findMany({
      where: { branchId },
      orderBy: { createdAt: "desc" },
      take: limit,
      select: { kind: true, message: true, data: true, createdAt: true, actor: { select: { login: true } } },
    }),
  ]);
  return { branch, builds, events };
}
