import { loadBranchHistory } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import type { ProjectAccess } from "@/server/access";
import { deps } from "@/server/deps";
import { BranchHistory } from "../../builds/[number]/history/branch-history";
import { historyTimeline } from "../../builds/[number]/history/timeline";

const LIMIT = 200;

/** The branch's History tab content (the caller checked the History cell of the branch's stage). */
export async function HistoryTab({ slug, access, branch }: { slug: string; access: ProjectAccess; branch: { id: string; stage: Stage } }) {
  const { builds, events } = await loadBranchHistory(deps().prisma, { branchId: branch.id, limit: LIMIT });
  return (
    <BranchHistory
      slug={slug}
      repoUrl={access.project.repoUrl}
      entries={historyTimeline({ builds, events })}
      canConnect={access.can({ stage: branch.stage, tool: "connect" })}
    />
  );
}
