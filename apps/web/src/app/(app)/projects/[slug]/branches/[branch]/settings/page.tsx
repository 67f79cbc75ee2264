import type { Metadata } from "next";
import { orPageRefusal, projectForPage } from "@/server/access/page-access";
import { branchNameOf } from "@/server/branches/branch-page";
import { readBranchSettings } from "@/server/branches/update-branch-settings";
import { deps } from "@/server/deps";
import { readBranchDomains } from "@/server/domains/custom-domains";
import { BranchSettingsPanel } from "../branch-settings-panel";
import { CustomDomainsPanel } from "../custom-domains-panel";

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
  // Same role cell (Settings × the branch's stage), checked again by readBranchDomains.
  const domains = await orPageRefusal(() => readBranchDomains({ prisma: deps().prisma }, { access, branchName: branch.name }));
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
      <div className="mt-5">
        <CustomDomainsPanel
          slug={slug}
          branch={branch.name}
          stage={branch.stage}
          target={domains.target}
          domains={domains.domains.map((d) => ({
            id: d.id,
            hostname: d.hostname,
            primary: d.primary,
            verifiedAt: d.verifiedAt?.toISOString() ?? null,
            lastCheckedAt: d.lastCheckedAt?.toISOString() ?? null,
            lastResult: d.lastResult,
            lastAnswer: d.lastAnswer,
            lastError: d.lastError,
            certificateExpiresAt: d.certificateExpiresAt?.toISOString() ?? null,
          }))}
        />
      </div>
    </section>
  );
}
