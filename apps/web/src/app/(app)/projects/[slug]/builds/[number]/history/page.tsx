import { loadBranchHistory } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { deps } from "@/server/deps";
import { ToolsNav } from "../tools-nav";
import { BranchHistory } from "./branch-history";
import { historyTimeline } from "./timeline";

type Props = { params: Promise<{ slug: string; number: string }> };

const LIMIT = 200;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number} · history` };
}

/** History tab: the branch's commits (with their build's status) and platform events, newest first. */
export default async function HistoryPage({ params }: Props) {
  const { slug, number } = await params;
  const { access, build } = await buildToolForPage({ slug, number, tool: "history" });
  const { branch, builds, events } = await loadBranchHistory(deps().prisma, { branchId: build.branchId, limit: LIMIT });
  const entries = historyTimeline({ builds, events });
  const canConnect = access.can({ stage: build.stage, tool: "connect" });

  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name} builds
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">
        Build #{build.number} · History of <span className="font-mono">{branch.name}</span>
      </h1>
      <ToolsNav
        slug={slug}
        number={build.number}
        current="history"
        allowed={(tool) => access.can({ stage: build.stage, tool })}
        running={build.state === "running"}
      />
      <BranchHistory slug={slug} repoUrl={access.project.repoUrl} entries={entries} canConnect={canConnect} />
    </div>
  );
}
