import type { Metadata } from "next";
import { branchForPage, branchNameOf, branchPageHref } from "@/server/branches/branch-page";
import { BuildMailsPanel } from "../../../builds/[number]/mails/build-mails-panel";
import { NoBuild } from "../no-build";

type Props = { params: Promise<{ slug: string; branch: string }>; searchParams: Promise<{ mail?: string; view?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · mails` };
}

/** Mails tab of the branch: its current build's caught mail (no tab on production, as the matrix says). */
export default async function BranchMailsPage({ params, searchParams }: Props) {
  const { slug, branch: segment } = await params;
  const { mail, view } = await searchParams;
  const { branch, build } = await branchForPage({ slug, branch: segment, tool: "mails" });
  if (!build) return <NoBuild stage={branch.stage} />;
  return (
    <div className="space-y-4">
      <BuildMailsPanel
        buildId={build.id}
        base={`/projects/${slug}/builds/${build.number}`}
        listBase={branchPageHref(slug, branch.name)}
        mailId={mail}
        view={view}
      />
    </div>
  );
}
