import { listBackupBranches } from "@slipway/db";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";
import { deps } from "@/server/deps";
import { BranchBackupsPanel } from "../../../backups/branch-backups-panel";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · backups` };
}

/**
 * Backups tab of the branch: the project Backups page's content for this branch. The matrix
 * gives production backups to admins, staging backups to testers and admins, development none.
 */
export default async function BranchBackupsPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch } = await branchForPage({ slug, branch: segment, tool: "backups" });
  const branches = await listBackupBranches(deps().prisma, { projectId: access.project.id });
  const row = branches.find((b) => b.id === branch.id);
  if (!row || row.stage === "development") notFound();
  return (
    <div className="space-y-5">
      <BranchBackupsPanel slug={slug} access={access} branch={{ ...row, stage: row.stage }} branches={branches} />
    </div>
  );
}
