import type { Metadata } from "next";
import { orPageRefusal, projectForPage } from "@/server/access/page-access";
import { branchNameOf } from "@/server/branches/branch-page";
import { readBranchSettings } from "@/server/branches/update-branch-settings";
import { deps } from "@/server/deps";
import { BranchSettingsPanel } from "../branch-settings-panel";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · settings` };
}

/**
 * Settings tab of the branch (seed "Settings"): what the seed shows for the branch's stage. The
 * role matrix's Settings cell of its stage decides who sees it (others get a 404, anonymous
 * visitors the login page); the save action checks it again.
 */
export default async function BranchSettingsPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const access = await projectForPage(slug);
  const branch = await orPageRefusal(() => readBranchSettings({ prisma: deps().prisma }, { access, branchName: branchNameOf(segment) }));
  const { project } = access;
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="branch-settings-tab">
      <p className="mb-4 text-sm text-slate-500">The options of this {branch.stage} branch. Changes apply to its next build.</p>
      <BranchSettingsPanel
        slug={slug}
        branch={branch.name}
        stage={branch.stage}
        settings={branch.settings}
        project={{ odooVersion: project.odooVersion, odooImage: project.odooImage }}
        discovered={branch.discovered}
      />
    </section>
  );
}
