import type { BranchRow } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import Link from "next/link";

const groups: { stage: Stage; title: string }[] = [
  { stage: "production", title: "Production" },
  { stage: "staging", title: "Staging" },
  { stage: "development", title: "Development" },
];

/** The project's branches by stage, as Odoo.sh's branch view lists them; the current one is highlighted. */
export function BranchSidebar({
  byStage,
  current,
  hrefOf,
}: {
  byStage: Record<Stage, BranchRow[]>;
  current: string;
  hrefOf: (name: string) => string;
}) {
  return (
    <nav aria-label="Branches" data-testid="branch-sidebar" className="space-y-4 text-sm">
      {groups.map((g) => (
        <section key={g.stage} aria-labelledby={`sidebar-${g.stage}`} data-testid={`sidebar-${g.stage}`}>
          <h2 id={`sidebar-${g.stage}`} className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
            {g.title}
          </h2>
          {byStage[g.stage].length === 0 ? (
            <p className="px-2 text-xs text-slate-400">None</p>
          ) : (
            <ul className="space-y-0.5">
              {byStage[g.stage].map((b) => {
                const active = b.name === current;
                return (
                  <li key={b.id}>
                    <Link
                      href={hrefOf(b.name)}
                      aria-current={active ? "page" : undefined}
                      className={`block truncate rounded-md px-2 py-1 font-mono ${active ? "bg-brand-50 font-semibold text-brand-800 ring-1 ring-brand-200" : "text-slate-700 hover:bg-slate-100"}`}
                    >
                      {b.name}
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      ))}
    </nav>
  );
}
