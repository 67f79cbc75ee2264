import { listProjectHealth, listProjectsForUser, type ProjectHealth } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { mayCreateProjects } from "@/server/projects/creation-policy";
import { formatTime } from "./_components/format";
import { StatusBadge } from "./_components/status-badge";
import { primaryButtonClass } from "./_components/styles";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  // Layouts do not re-run on every navigation, so each page checks the session itself.
  const user = await requireUser();
  const projects = await listProjectsForUser(deps().prisma, user);
  const health = await listProjectHealth(deps().prisma, { projectIds: projects.map((p) => p.id) });
  return (
    <section aria-labelledby="projects-title">
      <div className="flex items-center justify-between gap-4">
        <h1 id="projects-title" className="text-2xl font-semibold tracking-tight">
          Projects
        </h1>
        {mayCreateProjects(user, deps().config.projects.creators) ? (
          <Link href="/projects/new" className={primaryButtonClass}>
            New project
          </Link>
        ) : null}
      </div>
      {projects.length === 0 ? (
        <div className="mt-8 rounded-xl border border-dashed border-slate-300 bg-white px-6 py-16 text-center">
          <h2 className="text-lg font-semibold text-slate-900">No projects yet</h2>
          <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">
            A project links one Git repository to Slipway. Once linked, every push to a branch becomes a build you can open, test and
            promote from development to staging to production.
          </p>
        </div>
      ) : (
        <ul className="mt-8 divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
          {projects.map((p) => (
            <li key={p.id}>
              <Link href={`/projects/${p.slug}`} className="flex items-center justify-between gap-4 px-5 py-4 hover:bg-slate-50">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{p.name}</p>
                  <p className="truncate font-mono text-xs text-slate-500">{p.repoUrl}</p>
                </div>
                <ProductionHealth health={health.find((h) => h.projectId === p.id)?.production ?? null} />
                <div className="w-24 shrink-0 text-right text-xs text-slate-500">
                  <p>Odoo {p.odooVersion}</p>
                  <p>
                    {p._count.branches} branch{p._count.branches === 1 ? "" : "es"}
                  </p>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A project's production at a glance: its production build's status and its last backup. */
function ProductionHealth({ health }: { health: ProjectHealth["production"] }) {
  if (!health)
    return (
      <p className="ml-auto shrink-0 text-xs text-slate-500" data-testid="project-health" data-health="none">
        No production branch yet
      </p>
    );
  const { build } = health;
  return (
    <dl className="ml-auto grid shrink-0 grid-cols-[auto_auto] items-center gap-x-3 gap-y-1 text-xs" data-testid="project-health">
      <dt className="text-slate-500">
        Production <span className="font-mono text-slate-700">{health.branch}</span>
      </dt>
      <dd data-testid="project-health-build">
        {build ? (
          <span className="inline-flex items-center gap-1.5">
            <StatusBadge build={build} />
            <span className="text-slate-500">#{build.number}</span>
          </span>
        ) : (
          <span className="text-slate-500">no build yet</span>
        )}
      </dd>
      <dt className="text-slate-500">Last backup</dt>
      <dd data-testid="project-health-backup" className={health.lastBackupFailed ? "text-red-700" : "text-slate-700"}>
        {health.lastBackupAt ? formatTime(health.lastBackupAt) : "none yet"}
        {health.lastBackupFailed ? " · the newest one failed" : ""}
      </dd>
    </dl>
  );
}
