"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import type { BranchTab } from "./branch-tabs";

/** The branch page's tab bar; the active tab follows the URL (the layout does not re-render on a tab switch). */
export function BranchTabsNav({ tabs }: { tabs: BranchTab[] }) {
  const segment = useSelectedLayoutSegment();
  const base = "-mb-px rounded-t-md border px-3 py-1.5 text-sm";
  return (
    <nav className="flex flex-wrap gap-1 border-b border-slate-200" aria-label="Branch tabs" data-testid="branch-tabs">
      {tabs.map((t) => {
        if (t.href === null) {
          return (
            <span
              key={t.key}
              role="link"
              aria-disabled="true"
              title={t.disabledReason}
              data-testid={`branch-tab-${t.key}`}
              className={`${base} cursor-not-allowed border-transparent text-slate-400`}
            >
              {t.label}
              <span className="sr-only"> ({t.disabledReason})</span>
            </span>
          );
        }
        if (t.external) {
          return (
            <a
              key={t.key}
              href={t.href}
              target="_blank"
              rel="noopener"
              data-testid={`branch-tab-${t.key}`}
              className={`${base} border-transparent text-slate-600 hover:text-slate-900`}
            >
              {t.label} ↗
            </a>
          );
        }
        // The branch page itself shows History.
        const active = segment === t.key || (segment === null && t.key === "history");
        return (
          <Link
            key={t.key}
            href={t.href}
            data-testid={`branch-tab-${t.key}`}
            aria-current={active ? "page" : undefined}
            className={`${base} ${active ? "border-slate-200 border-b-white bg-white font-semibold text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
