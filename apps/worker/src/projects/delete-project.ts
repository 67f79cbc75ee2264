import { rm } from "node:fs/promises";
import { backupLogsDir } from "@slipway/config";
import {
  findProjectDeletion,
  finishProjectDeletion,
  listExpiredDeletedProjects,
  listUnfinishedDeletions,
  purgeDeletedProject,
} from "@slipway/db";
import { removeContainers, removeVolumes } from "@slipway/docker";
import { projectOfName } from "@slipway/domain";
import { enqueue, publishProjectNotice } from "@slipway/queue";
import { isStoreLocation, backupStoreOf } from "../backups/engine/context";
import { removeBackupScheduler } from "../backups/schedule-backups";
import { removeBuilds, removeRoutesOf } from "../branches/delete-branch";
import type { WorkerDeps } from "../deps";
import { removeProjectNetwork } from "../isolation/project-network";
import { dropDatabase, listDatabases } from "../postgres";
import { dropProjectStagingClones } from "../odoo/staging-clones";
import { routeProjectId } from "../proxy/caddy";

const DAY_MS = 86_400_000;

/** Whether a database on the managed server belongs to the project `slug` by name (ADR 0005 names). */
export function isProjectDatabase(slug: string, name: string): boolean {
  // `<slug>` production, `<slug>_…` its snapshots and staging source, `<slug>--…` every other build.
  return name === slug || name.startsWith(`${slug}_`) || projectOfName(name) === slug;
}

/**
 * The `project.delete` job (issue 14): removes everything of a project the web marked as being
 * deleted — every build's route, containers, databases, volumes, work tree, logs and mails, then
 * whatever else carries its name or label (snapshots, staging source, helper containers, routes,
 * its network), then its rows but the backups, which are kept for the grace period
 * (SLIPWAY_GC_DELETED_PROJECT_GRACE_DAYS) and removed afterwards by `purgeDeletedProjects` (the
 * hourly garbage collection). Idempotent and resumable like `deleteBranch`.
 */
export async function deleteProject(deps: WorkerDeps, { projectId }: { projectId: string }): Promise<{ deleted: boolean }> {
  const project = await findProjectDeletion(deps.prisma, projectId);
  if (!project || !project.deletingAt || project.deletedAt) return { deleted: false };
  const { slug } = project;
  await removeBackupScheduler({ queues: deps.queues, projectId });
  await removeBuilds(deps, {
    projectSlug: slug,
    production: true,
    builds: project.builds,
    reload: async () => (await findProjectDeletion(deps.prisma, projectId))?.builds ?? [],
  });
  await removeRoutesOf(deps, (_id, route) => routeProjectId(route) === projectId);
  await dropProjectStagingClones(deps, projectId);
  await removeContainers({ docker: deps.docker, labels: { project: projectId } });
  const pg = await deps.postgres();
  const databases = (await listDatabases({ pg })).filter((name) => isProjectDatabase(slug, name));
  // Longest first: snapshots before the production database whose role owns them.
  for (const name of databases.sort((a, b) => b.length - a.length)) await dropDatabase({ pg, name });
  await removeVolumes({ docker: deps.docker, labels: { project: projectId } });
  await removeProjectNetwork({ docker: deps.docker, pg, slug }).catch((error: unknown) =>
    deps.logger.warn({ err: String(error), slug }, "project network not removed"),
  );
  for (const branchId of project.branchIds) await rm(backupLogsDir(deps.config.home, branchId), { recursive: true, force: true });
  const backupsExpireAt = new Date(Date.now() + deps.config.gc.deletedProjectGraceDays * DAY_MS);
  await finishProjectDeletion(deps.prisma, { projectId, backupsExpireAt });
  deps.logger.info({ projectId, slug, builds: project.builds.length, databases: databases.length }, "project deleted");
  await publishProjectNotice(deps.redis, { projectId, kind: "branch" }).catch(() => undefined);
  return { deleted: true };
}

/**
 * Deleted projects past their grace period lose their backups (files, then rows) and their last
 * rows (branches, history; audit entries stay without a project). Part of the garbage collection.
 */
export async function purgeDeletedProjects(
  deps: Pick<WorkerDeps, "prisma" | "config" | "logger">,
  options: { now?: Date } = {},
): Promise<{ purged: string[] }> {
  const now = options.now ?? new Date();
  const deletedBefore = new Date(now.getTime() - deps.config.gc.deletedProjectGraceDays * DAY_MS);
  const purged: string[] = [];
  for (const project of await listExpiredDeletedProjects(deps.prisma, { deletedBefore })) {
    const store = backupStoreOf({ deps: deps as WorkerDeps });
    for (const backup of project.backups) if (isStoreLocation(backup.location)) await store.delete(backup.location);
    if (await purgeDeletedProject(deps.prisma, project.id)) purged.push(project.slug);
  }
  if (purged.length) deps.logger.info({ purged }, "deleted projects purged after their grace period");
  return { purged };
}

/**
 * Deletions asked for and not finished (the worker crashed, the job was lost with Redis, its
 * attempts ran out): enqueued again on every reconcile pass; a job already queued or running for
 * the same branch or project absorbs the new one (dedupe key).
 */
export async function resumeDeletions(deps: Pick<WorkerDeps, "prisma" | "queues">): Promise<{ branches: number; projects: number }> {
  const { branchIds, projectIds } = await listUnfinishedDeletions(deps.prisma);
  for (const branchId of branchIds) await enqueue(deps.queues, "branch.delete", { branchId });
  for (const projectId of projectIds) await enqueue(deps.queues, "project.delete", { projectId });
  return { branches: branchIds.length, projects: projectIds.length };
}
