import { findGitHubAppSummary } from "@slipway/db";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { manifestFormTarget, mayManageGitHubApp } from "@/server/github/github-app";
import { formatTime } from "../../projects/_components/format";
import { primaryButtonClass, secondaryButtonClass } from "../../projects/_components/styles";
import { forgetGitHubAppAction } from "./actions";
import { CreateAppForm } from "./create-app-form";
import { Card, PageNotices } from "../../_components/page-parts";

export const metadata: Metadata = { title: "GitHub App" };

type Props = { searchParams: Promise<{ notice?: string; error?: string }> };

export default async function GitHubAppPage({ searchParams }: Props) {
  // Superusers only: others get a 404 like every page their role may not use.
  const user = await requireUser();
  if (!mayManageGitHubApp(user)) notFound();
  const { notice, error } = await searchParams;
  const d = deps();
  const app = await findGitHubAppSummary(d.prisma);
  const personal = manifestFormTarget(d, user, "");

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">GitHub App</h1>
        <p className="mt-1 text-sm text-slate-600">
          With a GitHub App installed on a repository, Slipway adds its deploy key and webhook, posts commit statuses and merges through
          GitHub with short-lived installation tokens: no personal token needed. Projects without it use their own GitHub token (project
          Settings).
        </p>
      </div>
      <PageNotices notice={notice} error={error} testId="github-app" />

      {app ? (
        <Card title="This platform's App">
          <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm" data-testid="github-app">
            <dt className="text-slate-500">Name</dt>
            <dd className="font-medium">{app.name}</dd>
            <dt className="text-slate-500">Owner</dt>
            <dd>{app.ownerLogin || "—"}</dd>
            <dt className="text-slate-500">App ID</dt>
            <dd>{app.appId}</dd>
            <dt className="text-slate-500">Created</dt>
            <dd>{formatTime(app.createdAt)}</dd>
          </dl>
          <p className="mt-4 text-sm text-slate-600">
            Install it on the repositories (and private sub-repositories) of your projects; Slipway finds the installation of each
            repository when it needs it.
          </p>
          <div className="mt-4 flex gap-3">
            <a className={primaryButtonClass} href={`${app.htmlUrl}/installations/new`} target="_blank" rel="noreferrer">
              Install on repositories
            </a>
            <form action={forgetGitHubAppAction}>
              <button type="submit" className={secondaryButtonClass}>
                Forget this App
              </button>
            </form>
          </div>
        </Card>
      ) : (
        <Card title="Create the GitHub App">
          <p className="mb-4 text-sm text-slate-600">
            GitHub shows the App (permissions: administration, webhooks, commit statuses and contents of the repositories it is installed
            on) for you to confirm, then sends you back here. Its private key is stored encrypted and never shown again.
          </p>
          <CreateAppForm personal={personal} oauthUrl={d.config.github.oauthUrl} />
        </Card>
      )}
    </div>
  );
}
