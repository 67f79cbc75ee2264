import { decryptSecret } from "@slipway/config";
import { findWebhookSecretEnc, hasLiveBranches, listBranchesByStage, listBranchRows } from "@slipway/db";
import type { Metadata } from "next";
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

  return (
    <section aria-labelledby="project-title" className="space-y-6">
      <LiveRefresh slug={slug} />
      {secretEnc ? (
        <WebhookSetup
          publicUrl={config.web.publicUrl}
          slug={slug}
          secret={decryptSecret(secretEnc, config.encryptionKey)}
          isGithub={project.repoKind === "github"}
          open={!hasBranches}
          pollIntervalSeconds={config.pollIntervalSeconds}
        />
      ) : null}
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
