import { odooImageFor } from "@slipway/config";
import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { mayCreateProjects } from "@/server/projects/creation-policy";
import { NewProjectForm } from "./new-project-form";

export const metadata: Metadata = { title: "New project" };

export default async function NewProjectPage() {
  const user = await requireUser();
  const { config } = deps();
  const allowed = mayCreateProjects(user, config.projects.creators);
  const version = "18.0";
  const defaults = {
    name: "",
    slug: "",
    repoUrl: "",
    odooVersion: version,
    odooImage: odooImageFor(config.defaultOdooImage, version),
    baseDomain: config.baseDomain,
  };
  return (
    <section aria-labelledby="new-project-title" className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link href="/projects" className="text-slate-500 hover:text-slate-800">
          ← Projects
        </Link>
      </p>
      <h1 id="new-project-title" className="mt-2 text-2xl font-semibold tracking-tight">
        New project
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        Link a Git repository. Every branch becomes a development branch; every push to it becomes a build.
      </p>
      <div className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {allowed ? (
          <NewProjectForm defaults={defaults} imageTemplate={config.defaultOdooImage} />
        ) : (
          <p role="alert" data-testid="create-project-refused" className="text-sm text-slate-700">
            Only platform administrators may create projects. Ask one to create the project and add you as a collaborator.
          </p>
        )}
      </div>
    </section>
  );
}
