import { listProjectsForUser } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { mayCreateProjects } from "@/server/projects/creation-policy";
import { primaryButtonClass } from "./_components/styles";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  // Layouts do not re-run on every navigation, so each page checks the session itself.
  const user = await requireUser();
  const projects = await listProjectsForUser(deps().prisma, user);
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
                <div className="shrink-0 text-right text-xs text-slate-500">
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
