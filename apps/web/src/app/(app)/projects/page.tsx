import type { Metadata } from "next";
import { requireUser } from "../../../server/auth/current-user";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  // Layouts do not re-run on every navigation, so each page checks the session itself.
  await requireUser();
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title" className="text-2xl font-semibold tracking-tight">
        Projects
      </h1>
      <div className="mt-8 rounded-xl border border-dashed border-slate-300 bg-white px-6 py-16 text-center">
        <h2 className="text-lg font-semibold text-slate-900">No projects yet</h2>
        <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">
          A project links one Git repository to Slipway. Once linked, every push to a branch becomes a build you can open,
          test and promote from development to staging to production.
        </p>
      </div>
    </section>
  );
}
