import type { Metadata } from "next";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";
import { HistoryTab } from "../history-tab";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · history` };
}

/** History tab of the branch: the same timeline as a build's History tab (same role cell). */
export default async function BranchHistoryPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch } = await branchForPage({ slug, branch: segment, tool: "history" });
  return <HistoryTab slug={slug} access={access} branch={branch} />;
}
