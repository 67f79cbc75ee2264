"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { activeTab, type ProjectTab } from "./project-tabs";

export type { ProjectTab } from "./project-tabs";

/** The project's name (the page's title on the project's own page) and its tab bar. */
export function ProjectHeader({ base, name, facts, tabs }: { base: string; name: string; facts: string[]; tabs: ProjectTab[] }) {
  const pathname = usePathname();
  const tab = useSearchParams().get("tab");
  const active = activeTab(pathname, base, tab);
  const home = pathname === base;
  const tabClass = (on: boolean) =>
    `border-b-2 px-1 pb-2 text-sm font-medium ${on ? "border-brand-600 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`;
  return (
    <div className="space-y-4" data-testid="project-header">
      <div>
        <p className="text-sm">
          <Link href="/projects" className="text-slate-500 hover:text-slate-800">
            ← Projects
          </Link>
        </p>
        {home ? (
          <h1 id="project-title" className="mt-2 text-2xl font-semibold tracking-tight">
            {name}
          </h1>
        ) : (
          <p className="mt-2 text-xl font-semibold tracking-tight">
            <Link href={base} className="hover:text-brand-700">
              {name}
            </Link>
          </p>
        )}
        <p className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-600">
          {facts.map((f, i) => (
            <span key={i} className={i === 1 ? "" : "font-mono"}>
              {f}
            </span>
          ))}
        </p>
      </div>
      <nav aria-label="Project views" className="flex gap-6 border-b border-slate-200">
        {tabs.map((t) => (
          <Link
            key={t.id}
            href={t.href}
            className={`${tabClass(active === t.id)} ${t.end ? "ml-auto" : ""}`}
            aria-current={active === t.id ? "page" : undefined}
            data-testid={t.testId}
          >
            {t.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
