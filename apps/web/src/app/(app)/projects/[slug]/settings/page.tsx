import { listCollaborators } from "@slipway/db";
import { collaboratorRoles } from "@slipway/domain";
import type { Metadata } from "next";
import Link from "next/link";
import { projectActionForPage } from "@/server/access/page-access";
import { deps } from "@/server/deps";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "../../_components/styles";
import { addCollaboratorAction, changeRoleAction, removeCollaboratorAction } from "./actions";
import { ProjectSettingsForm } from "./project-settings-form";
import { DangerZone } from "./danger-zone";
import { CommitStatusesCard } from "./commit-statuses-card";
import { readCommitStatusesSetting } from "@/server/projects/commit-statuses-setting";
import { readGitHubCredentials } from "@/server/github/project-token";
import { GitHubCredentialsCard } from "./github-credentials-card";
import { decryptSecret } from "@slipway/config";
import { findWebhookSecretEnc } from "@slipway/db";
import { githubWebhookUrl, readGitHubSetup } from "@/server/projects/github-setup";
import { GitHubKeyAndWebhookCard, SubmodulesCard } from "./github-setup-cards";
import { Card, PageNotices } from "../../../_components/page-parts";

type Props = {
  params: Promise<{ slug: string }>;
  // login/role: the add-collaborator form's values, sent back with a refusal.
  searchParams: Promise<{ notice?: string; error?: string; login?: string; role?: string }>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).slug} · settings` };
}

export default async function SettingsPage({ params, searchParams }: Props) {
  const { slug } = await params;
  // Admins only (docs/product/roles-and-access.md); others get a 404, anonymous visitors the login page.
  const access = await projectActionForPage(slug, "project_settings");
  const { project } = access;
  const { notice, error, login: typedLogin, role: typedRole } = await searchParams;
  const collaborators = await listCollaborators(deps().prisma, { projectId: project.id });
  const commitStatuses = await readCommitStatusesSetting(deps(), access);
  const githubCredentials = commitStatuses.repoKind === "github" ? await readGitHubCredentials(deps(), access) : null;
  const githubSetup = await readGitHubSetup(deps(), access);
  const secretEnc = githubSetup.repoKind === "github" ? await findWebhookSecretEnc(deps().prisma, { projectId: project.id }) : null;

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href={`/projects/${slug}`} className="text-slate-500 hover:text-slate-800">
            ← {project.name}
          </Link>
        </p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="mt-1 text-sm">
          <Link href={`/projects/${slug}/audit`} className="text-brand-700 hover:underline">
            Audit log
          </Link>
        </p>
      </div>
      <PageNotices notice={notice} error={error} testId="settings" />

      <Card title="Project">
        <ProjectSettingsForm
          slug={slug}
          baseDomain={project.baseDomain}
          values={{
            name: project.name,
            publicAccess: project.publicAccess,
            odooVersion: project.odooVersion,
            odooImage: project.odooImage,
            repoUrl: project.repoUrl,
          }}
        />
      </Card>

      {githubCredentials ? (
        <section id="github-credentials">
          <Card title="GitHub credentials">
            <GitHubCredentialsCard slug={slug} view={githubCredentials} />
          </Card>
        </section>
      ) : null}

      {commitStatuses.repoKind === "github" ? (
        <Card title="GitHub commit statuses">
          <CommitStatusesCard slug={slug} setting={commitStatuses} />
        </Card>
      ) : null}

      {githubSetup.repoKind === "github" && secretEnc ? (
        <section id="github" className="space-y-6">
          <Card title="GitHub key and webhook">
            <GitHubKeyAndWebhookCard
              slug={slug}
              setup={githubSetup}
              payloadUrl={githubWebhookUrl(deps().config.web.publicUrl)}
              secret={decryptSecret(secretEnc, deps().config.encryptionKey)}
            />
          </Card>
          <Card title="Submodules">
            <SubmodulesCard slug={slug} submodules={githubSetup.submodules} />
          </Card>
        </section>
      ) : null}

      <Card title="Collaborators">
        <table className="w-full text-sm" data-testid="collaborators">
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="pb-2">User</th>
              <th className="pb-2">Role</th>
              <th className="pb-2" />
            </tr>
          </thead>
          <tbody>
            {collaborators.map((c) => (
              <tr key={c.id} className="border-t border-slate-100" data-login={c.user.login}>
                <td className="py-2">
                  <span className="font-medium">{c.user.login}</span>
                  {c.user.name ? <span className="text-slate-500"> — {c.user.name}</span> : null}
                  <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">
                    {c.user.githubId ? "GitHub" : "Local"}
                  </span>
                </td>
                <td className="py-2">
                  <form action={changeRoleAction} className="flex items-center gap-2">
                    <input type="hidden" name="slug" value={slug} />
                    <input type="hidden" name="collaboratorId" value={c.id} />
                    <select name="role" defaultValue={c.role} aria-label={`Role of ${c.user.login}`} className={`${inputClass} w-36`}>
                      {collaboratorRoles.map((r) => (
                        <option key={r} value={r}>
                          {r[0]!.toUpperCase() + r.slice(1)}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className={secondaryButtonClass}>
                      Change
                    </button>
                  </form>
                </td>
                <td className="py-2 text-right">
                  <form action={removeCollaboratorAction}>
                    <input type="hidden" name="slug" value={slug} />
                    <input type="hidden" name="collaboratorId" value={c.id} />
                    <button type="submit" className={secondaryButtonClass} aria-label={`Remove ${c.user.login}`}>
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form action={addCollaboratorAction} className="mt-4 flex flex-wrap items-end gap-2 border-t border-slate-100 pt-4">
          <input type="hidden" name="slug" value={slug} />
          <label className="text-sm">
            <span className="mb-1 block font-medium text-slate-700">Local login or GitHub username</span>
            <input
              name="login"
              required
              maxLength={39}
              placeholder="octocat"
              defaultValue={typedLogin?.slice(0, 39) ?? ""}
              className={`${inputClass} w-56`}
            />
          </label>
          <label className="text-sm">
            <span className="mb-1 block font-medium text-slate-700">Role</span>
            <select
              name="role"
              defaultValue={collaboratorRoles.find((r) => r === typedRole) ?? "developer"}
              className={`${inputClass} w-36`}
            >
              {collaboratorRoles.map((r) => (
                <option key={r} value={r}>
                  {r[0]!.toUpperCase() + r.slice(1)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className={primaryButtonClass}>
            Add
          </button>
        </form>
      </Card>

      <DangerZone slug={slug} />
    </div>
  );
}
