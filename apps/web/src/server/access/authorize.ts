import { findBuildIdByNumber, findProjectBuild, type Db, type ProjectBuildRef } from "@slipway/db";
import { branchChangeTarget, DomainError, type ProjectAction, type Stage, type Tool } from "@slipway/domain";
import { loadProjectAccess, type ProjectAccess, type Viewer } from "./project-access";

/*
 * THE entry points of authorization for pages, server actions, route handlers, log streams and
 * terminal sockets. Each loads the project as the viewer may see it and checks one cell of the
 * role matrix (@slipway/domain access), throwing DomainError:
 *   not_found — no such project/build, or the viewer may not even see the project
 *               (details.reason "sign_in" when anonymous: answer 401 / send to /login);
 *   forbidden — the project is visible but this cell is not granted (message says why).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A project-level action: settings, audit log, collaborators, viewing the builds page. */
export async function authorizeProjectAction(options: {
  prisma: Db;
  user: Viewer;
  slug: string;
  action: ProjectAction;
}): Promise<ProjectAccess> {
  const access = await loadProjectAccess(options);
  access.assert({ action: options.action });
  return access;
}

/** A tool on a stage when the stage is already known (e.g. from a branch row). */
export function authorizeTool(options: { access: ProjectAccess; stage: Stage; tool: Tool }): void {
  options.access.assert({ stage: options.stage, tool: options.tool });
}

export interface AuthorizedBuild {
  access: ProjectAccess;
  build: ProjectBuildRef;
}

/**
 * A tool of one build of the project, by id or by number: the build's stage decides the cell.
 * A build of another project, or a malformed id/number, is "not found".
 */
export async function authorizeBuildTool(options: {
  prisma: Db;
  user: Viewer;
  slug: string;
  build: { id: string } | { number: number | string };
  tool: Tool;
}): Promise<AuthorizedBuild> {
  const { prisma, tool } = options;
  const access = await loadProjectAccess(options);
  const missing = new DomainError("not_found", "This build does not exist.");
  let buildId: string | undefined;
  if ("id" in options.build) {
    if (!UUID.test(options.build.id)) throw missing;
    buildId = options.build.id;
  } else {
    const n = String(options.build.number);
    if (!/^\d{1,9}$/.test(n)) throw missing;
    buildId = (await findBuildIdByNumber(prisma, { projectId: access.project.id, number: Number(n) })) ?? undefined;
  }
  const build = buildId ? await findProjectBuild(prisma, { projectId: access.project.id, buildId }) : null;
  if (!build) throw missing;
  authorizeTool({ access, stage: build.stage, tool });
  return { access, build };
}

/** Rebuild, cancel, stage moves and merges: the Settings cell of the most exposed stage involved. */
export function authorizeBranchChange(options: { access: ProjectAccess; stages: readonly Stage[] }): void {
  options.access.assert(branchChangeTarget(options.stages));
}
