import { sshCommandFor } from "@slipway/config";
import { branchChangeTarget, type Stage } from "@slipway/domain";
import Link from "next/link";
import type { ReactNode } from "react";
import { StatusBadge } from "@/app/(app)/projects/_components/status-badge";
import { branchesForSidebar, branchForPage, branchPageHref } from "@/server/branches/branch-page";
import { deps } from "@/server/deps";
import { LiveRefresh } from "../../live-refresh";
import { BranchSidebar } from "./branch-sidebar";
import { branchTabs } from "./branch-tabs";
import { BranchTabsNav } from "./branch-tabs-nav";
import { DeleteBranchButton } from "./delete-branch-button";
import { ShellCommandsPanel } from "./shell-commands-panel";
import { shellCommands } from "./shell-commands";

type Props = { params: Promise<{ slug: string; branch: string }>; children: ReactNode };

const stageLabel: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };
const stageBadge: Record<Stage, string> = {
  production: "bg-red-50 text-red-800 ring-red-200",
  staging: "bg-amber-50 text-amber-800 ring-amber-200",
  development: "bg-sky-50 text-sky-800 ring-sky-200",
};
// The branch a merge goes to first, by the merged branch's stage: up the pipeline.
const mergePreference: Record<Stage, Stage[]> = {
  development: ["staging", "production", "development"],
  staging: ["production", "staging", "development"],
  production: ["staging", "development", "production"],
};

/**
 * The branch page (Odoo.sh's unit of work): the project's branches by stage on the left, the
 * branch's shell commands at the top right and its tabs (seed "Tabs") over the tab's content.
 * Every tab page checks its own cell of the role matrix again; this layout only needs the project.
 * The project's header and tab bar above it come from the project layout.
 */
export default async function BranchLayout({ params, children }: Props) {
  const { slug, branch: segment } = await params;
  const { access, branch, build } = await branchForPage({ slug, branch: segment });
  const byStage = await branchesForSidebar(access.project.id);
  const others = Object.values(byStage)
    .flat()
    .filter((b) => b.name !== branch.name);
  const byPreference = mergePreference[branch.stage].flatMap((s) => others.filter((b) => b.stage === s));
  const mergeTargets = byPreference.filter((b) => access.can(branchChangeTarget([branch.stage, b.stage]))).map((b) => b.name);
  const mergeInto = mergeTargets[0] ?? byPreference[0]?.name ?? null;
  const base = branchPageHref(slug, branch.name);
  const tabs = branchTabs({
    base,
    stage: branch.stage,
    can: access.can,
    build: build ? { number: build.number, running: build.state === "running" } : null,
    buildsBase: `/projects/${slug}/builds`,
  });
  const commands = shellCommands({
    repoUrl: access.project.repoUrl,
    branch: branch.name,
    branches: [branch.name, ...others.map((b) => b.name)],
    mergeInto,
    // SSH opens the same session as the web shell: same cell of the matrix.
    ssh: !access.can({ stage: branch.stage, tool: "shell" })
      ? { unavailable: `Your role has no shell on ${branch.stage} builds.` }
      : build
        ? { command: sshCommandFor(build, deps().config.ssh) }
        : { unavailable: "This branch has no build on its stage yet." },
  });

  return (
    <div className="space-y-4">
      <LiveRefresh slug={slug} />
      <div className="grid gap-6 md:grid-cols-[12rem_minmax(0,1fr)]">
        <aside>
          <BranchSidebar byStage={byStage} current={branch.name} hrefOf={(name) => branchPageHref(slug, name)} />
        </aside>
        <div className="min-w-0 space-y-4">
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div className="space-y-1">
              <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight">
                <span className="font-mono" data-testid="branch-name">
                  {branch.name}
                </span>
                <span
                  className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ring-1 ${stageBadge[branch.stage]}`}
                  data-testid="branch-stage"
                >
                  {stageLabel[branch.stage]}
                </span>
              </h1>
              <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600" data-testid="branch-current-build">
                {build ? (
                  <>
                    <Link href={`/projects/${slug}/builds/${build.number}`} className="text-brand-700 hover:underline">
                      Build #{build.number}
                    </Link>
                    <StatusBadge build={{ state: build.state, result: build.result }} />
                  </>
                ) : (
                  <span>No build on {stageLabel[branch.stage].toLowerCase()} yet.</span>
                )}
              </p>
            </div>
            <div className="w-full lg:w-[30rem]">
              <ShellCommandsPanel
                slug={slug}
                branch={branch.name}
                commands={commands}
                mergeTargets={mergeTargets}
                defaultMergeInto={mergeInto}
                deleteAction={
                  branch.stage === "production"
                    ? { kind: "unavailable", reason: "The production branch cannot be deleted: move another branch to production first." }
                    : access.can({ action: "project_settings" })
                      ? { kind: "control", control: <DeleteBranchButton slug={slug} branchName={branch.name} /> }
                      : { kind: "unavailable", reason: "Only the project's admins can delete a branch." }
                }
              />
            </div>
          </div>
          <BranchTabsNav tabs={tabs} />
          <div>{children}</div>
        </div>
      </div>
    </div>
  );
}
