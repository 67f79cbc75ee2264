import { rm } from "node:fs/promises";
import { backupLogsDir, buildMailsDir, buildWorkspace } from "@slipway/config";
import { findBranchDeletion, finishBranchDeletion, listMailFilesOfBuilds, stopBuildsForDeletion, type BuildToDelete } from "@slipway/db";
import { DomainError, projectOfName, volumeName } from "@slipway/domain";
import { removeVolume } from "@slipway/docker";
import { publishProjectNotice } from "@slipway/queue";
import { cancelBuild } from "../builds/cancel-build";
import { releaseBuild } from "../builds/resources";
import type { WorkerDeps } from "../deps";
import { dropDatabase, listDatabases } from "../postgres";
import { dropStagingClone } from "../odoo/staging-clones";

type Deps = WorkerDeps;

/** How long a deletion waits for the builds in progress it cancelled; then the job fails and is retried. */
const CANCEL_WAIT_MS = 120_000;

/**
 * The `branch.delete` job (issue 14): removes what a branch deleted from Slipway owns — each build's
 * route, containers, database (with its copies `<db>_…`) and data volume, work tree, step logs and
 * captured mails, the branch's restore/import logs — then the builds' rows, and marks the branch
 * deleted. Its backups stay (kept and pruned per retention); the row stays for them and for its
 * history. Idempotent: each removal tolerates what is already gone, so a crash anywhere resumes on
 * the next attempt or when reconcile finds the branch still marked as being deleted.
 */
export async function deleteBranch(deps: Deps, { branchId }: { branchId: string }): Promise<{ deleted: boolean }> {
  const branch = await findBranchDeletion(deps.prisma, branchId);
  if (!branch || !branch.deletingAt || branch.deletedAt) return { deleted: false };
  await removeBuilds(deps, {
    projectSlug: branch.projectSlug,
    production: false,
    builds: branch.builds,
    reload: async () => (await findBranchDeletion(deps.prisma, branchId))?.builds ?? [],
  });
  await rm(backupLogsDir(deps.config.home, branchId), { recursive: true, force: true });
  await finishBranchDeletion(deps.prisma, {
    branchId,
    message: `Branch ${branch.name} deleted: ${branch.builds.length} build(s) with their databases, containers, routes and files removed; its backups are kept per retention.`,
  });
  deps.logger.info({ branchId, project: branch.projectSlug, builds: branch.builds.length }, "branch deleted");
  await publishProjectNotice(deps.redis, { projectId: branch.projectId, branchId, kind: "branch" }).catch(() => undefined);
  return { deleted: true };
}

/**
 * Removes everything outside the control-plane database that `builds` own. Builds in progress are
 * cancelled first and waited for (`reload` re-reads them); running ones are marked stopped before
 * their routes go, so no route keeper puts a route back.
 */
export async function removeBuilds(
  deps: Deps,
  options: {
    /** Databases dropped must belong to this project by name (ADR 0005), whatever the rows say. */
    projectSlug: string;
    /** Whether the production database (named after the project) may go: project deletion only. */
    production: boolean;
    builds: BuildToDelete[];
    reload: () => Promise<BuildToDelete[]>;
  },
) {
  let builds = options.builds;
  if (builds.some((b) => b.inProgress)) {
    for (const b of builds.filter((x) => x.inProgress)) await cancelBuild(deps, { buildId: b.id });
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while ((builds = await options.reload()).some((b) => b.inProgress)) {
      if (Date.now() > deadline) throw new Error("builds of the deleted branch are still in progress after a cancel; retried later");
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const ids = builds.map((b) => b.id);
  await stopBuildsForDeletion(deps.prisma, ids);
  await removeRoutesOf(deps, (id) => ids.some((buildId) => id.includes(buildId)));
  const mailFiles = await listMailFilesOfBuilds(deps.prisma, ids);
  const pg = builds.some((b) => b.databaseName) ? await deps.postgres() : null;
  const databases = pg ? await listDatabases({ pg }) : [];
  for (const build of builds) {
    // Route, red page and containers; the database below (a staging build may have taken over its
    // predecessor's, so the build-number ownership rule of releaseBuild does not fit a deletion).
    await releaseBuild({ deps, build, keepData: true });
    if (pg && build.databaseName) {
      const own = build.databaseName;
      if (projectOfName(own) !== options.projectSlug || (own === options.projectSlug && !options.production)) {
        throw new DomainError(
          "invalid_state",
          `database ${own} does not belong to the deleted builds of ${options.projectSlug}: not dropped`,
        );
      }
      await dropStagingClone(deps, own);
      // Copies of the build's database first (`<db>_…`: snapshots, scratch copies), then the database.
      for (const name of databases.filter((d) => d.startsWith(`${own}_`)).sort((a, b) => b.length - a.length)) {
        await dropDatabase({ pg, name });
      }
      await dropDatabase({ pg, name: own });
      await removeVolume({ docker: deps.docker, name: volumeName({ databaseName: own }) }).catch(() => undefined);
    }
    deps.serverLogs.stop(build.id);
    await rm(buildWorkspace(deps.config.home, build.id).root, { recursive: true, force: true });
    await rm(buildMailsDir(deps.config.home, build.id), { recursive: true, force: true });
  }
  for (const file of mailFiles) await rm(file, { force: true });
}

/** Removes every proxy route whose id matches (build, maintenance and red-page routes carry the build id). */
export async function removeRoutesOf(deps: Deps, matches: (routeId: string, route: Record<string, unknown>) => boolean) {
  for (const route of await deps.caddy.routes()) {
    const id = typeof route["@id"] === "string" ? route["@id"] : "";
    if (id && matches(id, route)) await deps.caddy.removeRoute(id);
  }
}
