import Link from "next/link";
import { formatTime } from "@/app/(app)/projects/_components/format";
import { StatusBadge } from "@/app/(app)/projects/_components/status-badge";
import { ConnectButton } from "./connect-button";
import { commitUrl, type HistoryEntry } from "./timeline";

/**
 * A branch's history (commits with their build's status, platform events), newest first: the
 * History tab of a build page and of the branch page. `canConnect`: the viewer's Connect cell.
 */
export function BranchHistory({
  slug,
  repoUrl,
  entries,
  canConnect,
}: {
  slug: string;
  repoUrl: string;
  entries: HistoryEntry[];
  canConnect: boolean;
}) {
  return (
    <>
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
                  {e.build && canConnect && e.build.state === "running" ? <ConnectButton slug={slug} buildId={e.build.id} /> : null}
                </span>
              </div>
              <p className="mt-1 text-xs text-slate-500">
                {e.author ?? "unknown author"} ·{" "}
                {commitUrl(repoUrl, e.revision) ? (
                  <a
                    href={commitUrl(repoUrl, e.revision)!}
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
              <span className="mr-2 rounded bg-slate-200 px-1.5 py-0.5 text-[11px] font-medium text-slate-700" title={e.eventKind}>
                {e.label}
              </span>
              {e.message}
              <span className="ml-2 text-xs text-slate-500">
                {e.actor ? `${e.actor} · ` : ""}
                {formatTime(e.at)}
              </span>
            </li>
          ),
        )}
      </ol>
    </>
  );
}
