import { listPinnedBranchIds, type BranchRow } from "@slipway/db";
import type { AccessTarget, Stage } from "@slipway/domain";
import { deps } from "@/server/deps";
import { BranchesBoard, type BoardBranch } from "./branches-board";

/**
 * Branches view: the three stages and their branches, each with its last build's status. The
 * board itself is a client component (drag and drop); this server part adds what it needs: pins
 * and which stages the viewer may change (the routes check again).
 */
export async function BranchesView({
  slug,
  projectId,
  byStage,
  can,
}: {
  slug: string;
  projectId: string;
  byStage: Record<BranchRow["stage"], BranchRow[]>;
  can: (target: AccessTarget) => boolean;
}) {
  const pinned = new Set(await listPinnedBranchIds(deps().prisma, { projectId }));
  const branches: BoardBranch[] = Object.values(byStage)
    .flat()
    .map((b) => {
      const last = b.builds[0];
      return {
        id: b.id,
        name: b.name,
        stage: b.stage,
        pinned: pinned.has(b.id),
        lastBuild: last ? { number: last.number, state: last.state, result: last.result } : null,
      };
    });
  const canChange = Object.fromEntries(
    (["production", "staging", "development"] as const).map((s) => [s, can({ stage: s, tool: "settings" })]),
  ) as Record<Stage, boolean>;
  return <BranchesBoard slug={slug} branches={branches} canChange={canChange} />;
}
