import { loadBranchHistory } from "@slipway/db";
import type { Metadata } from "next";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";
import { deps } from "@/server/deps";
import { BranchHistory } from "../../../builds/[number]/history/branch-history";
import { historyTimeline } from "../../../builds/[number]/history/timeline";

type Props = { params: Promise<{ slug: string; branch: string }> };

const LIMIT = 200;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · history` };
}

/** History tab of the branch: the same timeline as a build's History tab (same role cell). */
export default async function BranchHistoryPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch } = await branchForPage({ slug, branch: segment, tool: "history" });
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
