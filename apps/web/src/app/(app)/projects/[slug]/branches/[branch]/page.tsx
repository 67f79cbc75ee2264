import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { branchForPage, branchNameOf, branchPageHref } from "@/server/branches/branch-page";
import { branchTabs, firstTabHref } from "./branch-tabs";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)}` };
}

/** The branch page opens on its first tab this viewer has (History for every collaborator). */
export default async function BranchPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch, build } = await branchForPage({ slug, branch: segment });
  const first = firstTabHref(
    branchTabs({
      base: branchPageHref(slug, branch.name),
      stage: branch.stage,
      can: access.can,
      build: build ? { number: build.number, running: build.state === "running" } : null,
      buildsBase: `/projects/${slug}/builds`,
    }),
  );
  if (first) redirect(first);
  return (
    <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="branch-no-tab">
      Your role shows only the status of this {branch.stage} branch.
    </p>
  );
}
