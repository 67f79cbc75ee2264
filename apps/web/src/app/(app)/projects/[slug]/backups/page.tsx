import { listBackupBranches } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { projectForPage } from "@/server/access/page-access";
import { backupDeps } from "@/server/backups/backup-deps";
import { LiveRefresh } from "../live-refresh";
import { BranchBackupsPanel } from "./branch-backups-panel";

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ branch?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).slug} · backups` };
}

const stageLabel: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };

/**
 * Backups tab of a branch (Odoo.sh's documentation "Backups"; docs/product/production-updates-and-backups.md): production backups for admins,
 * staging backups for testers and admins, none for development. Every action goes through the JSON
 * routes (checked again there) and the worker; the page follows with live notices.
 */
export default async function BackupsPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const { branch: wanted } = await searchParams;
  const access = await projectForPage(slug);
  const d = backupDeps();
  const branches = await listBackupBranches(d.prisma, { projectId: access.project.id });
  const usable = branches.filter((b) => b.stage === "development" || access.can({ stage: b.stage, tool: "backups" }));
  const selected = wanted ? branches.find((b) => b.name === wanted) : (usable.find((b) => b.stage !== "development") ?? usable[0]);
  // A branch the role may not see the backups of is not advertised (like every tool page).
  if (wanted && (!selected || !usable.includes(selected))) notFound();
  const base = `/projects/${slug}/backups`;
  return (
    <section aria-labelledby="backups-title" className="space-y-5">
      <LiveRefresh slug={slug} />
      <p className="text-sm">
        <Link href={`/projects/${slug}`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name}
        </Link>
      </p>
      <h1 id="backups-title" className="text-2xl font-semibold tracking-tight">
        Backups{selected ? <span className="font-mono text-xl text-slate-600"> · {selected.name}</span> : null}
      </h1>
      {usable.length > 0 ? (
        <nav aria-label="Branches" className="flex flex-wrap gap-1.5" data-testid="backup-branches">
          {usable.map((b) => (
            <Link
              key={b.id}
              href={`${base}?branch=${encodeURIComponent(b.name)}`}
              aria-current={b.id === selected?.id ? "page" : undefined}
              className={`rounded-full border px-3 py-1 text-xs ${b.id === selected?.id ? "border-brand-500 bg-brand-50 font-semibold text-brand-800" : "border-slate-200 bg-white text-slate-600 hover:text-slate-900"}`}
            >
              <span className="font-mono">{b.name}</span> · {stageLabel[b.stage]}
            </Link>
          ))}
        </nav>
      ) : null}
      {!selected ? (
        <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="backups-none">
          No branch to show: production backups are for admins, staging backups for testers and admins.
        </p>
      ) : selected.stage === "development" ? (
        <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="backups-development">
          Development databases are not backed up, and manual backups are not possible: every push to a development branch builds a new
          database from scratch (with demo data). Move the branch to staging or production to back it up.
        </p>
      ) : (
        <BranchBackupsPanel slug={slug} access={access} branch={{ ...selected, stage: selected.stage }} branches={branches} />
      )}
    </section>
  );
}
