import {
  findBranchCurrentBuild,
  findBranchPageBranch,
  listBranchesByStage,
  type BranchCurrentBuild,
  type BranchPageBranch,
  type BranchRow,
} from "@slipway/db";
import type { Stage, Tool } from "@slipway/domain";
import { notFound } from "next/navigation";
import { orPageRefusal, projectForPage } from "../access/page-access";
import type { ProjectAccess } from "../access";
import { deps } from "../deps";

export interface BranchPage {
  access: ProjectAccess;
  branch: BranchPageBranch;
  /** The newest build of the branch on its current stage: the build the tabs show (null: none yet). */
  build: BranchCurrentBuild | null;
}

/**
 * The branch name carried by the route segment. Pages link with encodeURIComponent (a name may
 * contain "/"); Next hands the segment over decoded, but a "%2F" may arrive encoded once more.
 */
export function branchNameOf(segment: string): string {
  try {
    return segment.includes("%") ? decodeURIComponent(segment) : segment;
  } catch {
    return segment;
  }
}

/** The branch page's URL (`tab` empty for the page itself). */
export function branchPageHref(slug: string, branch: string, tab = ""): string {
  return `/projects/${encodeURIComponent(slug)}/branches/${encodeURIComponent(branch)}${tab ? `/${tab}` : ""}`;
}

/**
 * For the branch page and its tabs: the project as the viewer may see it, the branch by name and
 * its current build. With `tool`, the same cell of the role matrix as the build page the tab
 * mirrors, on the branch's stage (= its current build's stage). Refused or missing → login
 * redirect or 404, as every tool page.
 */
export async function branchForPage(options: { slug: string; branch: string; tool?: Tool }): Promise<BranchPage> {
  const access = await projectForPage(options.slug);
  const { prisma } = deps();
  const branch = await findBranchPageBranch(prisma, { projectId: access.project.id, name: branchNameOf(options.branch) });
  if (!branch) notFound();
  if (options.tool) {
    const tool = options.tool;
    await orPageRefusal(async () => access.assert({ stage: branch.stage, tool }));
  }
  const build = await findBranchCurrentBuild(prisma, { branchId: branch.id, stage: branch.stage });
  return { access, branch, build };
}

/** The project's branches by stage for the branch page's sidebar. */
export function branchesForSidebar(projectId: string): Promise<Record<Stage, BranchRow[]>> {
  return listBranchesByStage(deps().prisma, { projectId });
}
