import type { Tool } from "@slipway/domain";
import Link from "next/link";

type Tab = "overview" | "history" | "logs" | "mails" | "shell" | "monitor";

const TABS: { tab: Tab; label: string; tool: Tool | null }[] = [
  { tab: "overview", label: "Build", tool: null },
  { tab: "history", label: "History", tool: "history" },
  { tab: "logs", label: "Logs", tool: "logs" },
  { tab: "mails", label: "Mails", tool: "mails" },
  { tab: "shell", label: "Shell", tool: "shell" },
  { tab: "monitor", label: "Monitor", tool: "monitor" },
];

/**
 * The build's tools as tabs, each shown only when the viewer's role has it on the build's stage
 * (the pages and routes check again on the server). Shell opens in its own browser tab.
 */
export function ToolsNav({
  slug,
  number,
  current,
  allowed,
  running,
}: {
  slug: string;
  number: number;
  current: Tab;
  allowed: (tool: Tool) => boolean;
  running: boolean;
}) {
  const base = `/projects/${slug}/builds/${number}`;
  return (
    <nav className="flex flex-wrap gap-1 border-b border-slate-200" aria-label="Build tools" data-testid="build-tools-nav">
      {TABS.filter((t) => t.tool === null || (allowed(t.tool) && (t.tool !== "shell" || running))).map((t) => {
        const href = t.tab === "overview" ? base : `${base}/${t.tab}`;
        const active = t.tab === current;
        const cls = `-mb-px rounded-t-md border px-3 py-1.5 text-sm ${active ? "border-slate-200 border-b-white bg-white font-semibold text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`;
        return t.tab === "shell" ? (
          <a key={t.tab} href={href} target="_blank" rel="noopener" className={cls}>
            {t.label} ↗
          </a>
        ) : (
          <Link key={t.tab} href={href} className={cls} aria-current={active ? "page" : undefined}>
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
