import type { Metadata } from "next";
import Link from "next/link";
import { branchForPage, branchNameOf, branchPageHref } from "@/server/branches/branch-page";
import { branchTabs } from "./branch-tabs";
import { HistoryTab } from "./history-tab";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)}` };
}

/**
 * The branch page opens on History (every collaborator has it; the tab bar marks it). A viewer
 * without it (a visitor of a public project) gets the tabs they have. Rendered here rather than
 * redirected: a redirect answering a client-side navigation left the browser on the old URL.
 */
export default async function BranchPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch, build } = await branchForPage({ slug, branch: segment });
  if (access.can({ stage: branch.stage, tool: "history" })) return <HistoryTab slug={slug} access={access} branch={branch} />;
  const open = branchTabs({
    base: branchPageHref(slug, branch.name),
    stage: branch.stage,
    can: access.can,
    build: build ? { number: build.number, running: build.state === "running" } : null,
    buildsBase: `/projects/${slug}/builds`,
  }).filter((t) => t.href !== null);
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="branch-no-tab">
      {open.length === 0 ? (
        <p>Your role shows only the status of this {branch.stage} branch.</p>
      ) : (
        <p>
          Open{" "}
          {open.map((t, i) => (
            <span key={t.key}>
              {i > 0 ? ", " : ""}
              <Link href={t.href!} className="text-brand-700 hover:underline" target={t.external ? "_blank" : undefined}>
                {t.label}
              </Link>
            </span>
          ))}
          .
        </p>
      )}
    </div>
  );
}
