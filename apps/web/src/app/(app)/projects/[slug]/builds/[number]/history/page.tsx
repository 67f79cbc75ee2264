import { loadBranchHistory } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { deps } from "@/server/deps";
import { formatTime } from "@/app/(app)/projects/_components/format";
import { StatusBadge } from "@/app/(app)/projects/_components/status-badge";
import { ToolsNav } from "../tools-nav";
import { ConnectButton } from "./connect-button";
import { commitUrl, historyTimeline } from "./timeline";

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
      {entries.length === 0 ? <p className="text-sm text-slate-500">Nothing yet.</p> : null}
      <ol className="space-y-2" data-testid="history">
        {entries.map((e, i) =>
          e.kind === "commit" ? (
            <li
              key={`c-${e.revision}-${e.build?.id ?? i}`}
              className="rounded-lg border border-slate-200 bg-white p-3"
              data-testid="history-commit"
            >
              <div className="flex flex-wrap items-center gap-2">
                <span className="text-sm font-medium text-slate-900">{e.message?.split("\n")[0] || "(no message)"}</span>
                {e.build ? <StatusBadge build={{ state: e.build.state, result: e.build.result }} /> : null}
                <span className="ml-auto flex items-center gap-2">
                  {e.build ? (
                    <Link href={`/projects/${slug}/builds/${e.build.number}`} className="text-xs text-brand-700 hover:underline">
                      #{e.build.number}
                    </Link>
                  ) : null}
                  {e.build && canConnect && e.build.state === "running" && (e.build.result === "green" || e.build.result === "yellow") ? (
                    <ConnectButton slug={slug} buildId={e.build.id} />
                  ) : null}
                </span>
              </div>
              <p className="mt-1 text-xs text-slate-500">
                {e.author ?? "unknown author"} ·{" "}
                {commitUrl(access.project.repoUrl, e.revision) ? (
                  <a
                    href={commitUrl(access.project.repoUrl, e.revision)!}
                    className="font-mono text-brand-700 hover:underline"
                    rel="noopener noreferrer"
                    target="_blank"
                  >
                    {e.revision.slice(0, 10)}
                  </a>
                ) : (
                  <span className="font-mono">{e.revision.slice(0, 10)}</span>
                )}{" "}
                · {formatTime(e.at)}
              </p>
            </li>
          ) : (
            <li
              key={`e-${i}`}
              className="rounded-lg border border-dashed border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700"
              data-testid="history-event"
              data-kind={e.eventKind}
            >
              <span className="mr-2 rounded bg-slate-200 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">{e.eventKind}</span>
              {e.message}
              <span className="ml-2 text-xs text-slate-500">
                {e.actor ? `${e.actor} · ` : ""}
                {formatTime(e.at)}
              </span>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}
