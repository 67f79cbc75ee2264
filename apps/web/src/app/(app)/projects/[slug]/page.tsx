import { decryptSecret } from "@slipway/config";
import { findWebhookSecretEnc, hasLiveBranches, listBranchesByStage, listBranchRows } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { deps } from "@/server/deps";
import { projectForPage } from "@/server/access/page-access";
import { BranchesView } from "./branches-view";
import { BuildsView } from "./builds-view";
import { LiveRefresh } from "./live-refresh";
import { WebhookSetup } from "./webhook-setup";

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ tab?: string; q?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function ProjectPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const { tab: tabParam, q } = await searchParams;
  const access = await projectForPage(slug);
  const { project } = access;
  const { prisma, config } = deps();
  const tab = tabParam === "builds" ? "builds" : "branches";
  const query = (q ?? "").slice(0, 200);

  const isAdmin = access.can({ action: "project_settings" });
  const secretEnc = isAdmin ? await findWebhookSecretEnc(prisma, { projectId: project.id }) : null;
  const hasBranches = isAdmin && (await hasLiveBranches(prisma, { projectId: project.id }));
  const tabClass = (active: boolean) =>
    `border-b-2 px-1 pb-2 text-sm font-medium ${active ? "border-brand-600 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`;

  return (
    <section aria-labelledby="project-title" className="space-y-6">
      <LiveRefresh slug={slug} />
      <div>
        <p className="text-sm">
          <Link href="/projects" className="text-slate-500 hover:text-slate-800">
            ← Projects
          </Link>
        </p>
        <h1 id="project-title" className="mt-2 text-2xl font-semibold tracking-tight">
          {project.name}
        </h1>
        <p className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-600">
          <span className="font-mono">{project.repoUrl}</span>
          <span>Odoo {project.odooVersion}</span>
          <span className="font-mono">{project.odooImage}</span>
          <span className="font-mono">*.{project.baseDomain}</span>
        </p>
      </div>
      {secretEnc ? (
        <WebhookSetup
          publicUrl={config.web.publicUrl}
          slug={slug}
          secret={decryptSecret(secretEnc, config.encryptionKey)}
          isGithub={project.repoKind === "github"}
          open={!hasBranches}
        />
      ) : null}
      <nav aria-label="Project views" className="flex gap-6 border-b border-slate-200">
        <Link href={`/projects/${slug}`} className={tabClass(tab === "branches")} aria-current={tab === "branches" ? "page" : undefined}>
          Branches
        </Link>
        <Link
          href={`/projects/${slug}?tab=builds`}
          className={tabClass(tab === "builds")}
          aria-current={tab === "builds" ? "page" : undefined}
        >
          Builds
        </Link>
        {access.can({ stage: "production", tool: "backups" }) || access.can({ stage: "staging", tool: "backups" }) ? (
          <Link href={`/projects/${slug}/backups`} className={tabClass(false)} data-testid="project-backups-link">
            Backups
          </Link>
        ) : null}
        {isAdmin ? (
          <Link href={`/projects/${slug}/settings`} className={`${tabClass(false)} ml-auto`} data-testid="project-settings-link">
            Settings
          </Link>
        ) : null}
      </nav>
      {tab === "branches" ? (
        <BranchesView
          slug={slug}
          projectId={project.id}
          byStage={await listBranchesByStage(prisma, { projectId: project.id })}
          can={access.can}
        />
      ) : (
        <BuildsView
          slug={slug}
          query={query}
          rows={await listBranchRows(prisma, { projectId: project.id, search: query })}
          can={access.can}
        />
      )}
    </section>
  );
}
