// Deleting a branch or a project from Slipway (issue 14). Two phases, so a crash at any point
// resumes: the web marks the row (`deletingAt`: it leaves every live list at once, and no build,
// poll or webhook starts on it) with its audit entry and enqueues the worker's job; the worker
// removes containers, databases, routes and files, then the rows, and marks the end (`deletedAt`).
// A deleted branch's row stays for its backups (kept per retention) and its history; a deleted
// project's row stays for its backups until the grace period has passed, then goes with them.
import type { Stage } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";
import { stopBuild } from "./builds";
import { insertEvent } from "./events";

export interface DeletionRequest {
  actorId: string;
  actorLogin: string;
  ip?: string | null;
}

/**
 * Marks a live, non-production branch as being deleted (archived with it, so every live list and
 * the follow-up build decision drop it), with its history event and audit entry, in one
 * transaction. False when the branch is gone, already being deleted, or production meanwhile.
 */
export async function markBranchDeleting(db: Db, req: DeletionRequest & { projectId: string; branchId: string }): Promise<boolean> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const { count } = await tx.branch.updateMany({
      where: { id: req.branchId, projectId: req.projectId, deletingAt: null, archivedAt: null, stage: { not: "production" } },
      data: { deletingAt: now, archivedAt: now, pinned: false },
    });
    if (count === 0) return false;
    const branch = await tx.branch.findUniqueOrThrow({ where: { id: req.branchId }, select: { name: true, stage: true } });
    await insertEvent(tx, {
      projectId: req.projectId,
      branchId: req.branchId,
      actorId: req.actorId,
      kind: "branch.delete",
      message: `Deletion of branch ${branch.name} asked for by ${req.actorLogin}: its builds, databases, containers and routes are being removed; its backups are kept.`,
    });
    await insertAuditEntry(tx, {
      projectId: req.projectId,
      actorId: req.actorId,
      action: "branch.delete",
      target: branch.name,
      details: { stage: branch.stage },
      ip: req.ip ?? null,
    });
    return true;
  });
}

/** Marks a project as being deleted (it leaves the projects list and its pages at once), audited. */
export async function markProjectDeleting(db: Db, req: DeletionRequest & { projectId: string }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.project.updateMany({ where: { id: req.projectId, deletingAt: null }, data: { deletingAt: new Date() } });
    if (count === 0) return false;
    const project = await tx.project.findUniqueOrThrow({ where: { id: req.projectId }, select: { slug: true } });
    await insertAuditEntry(tx, {
      projectId: req.projectId,
      actorId: req.actorId,
      action: "project.delete",
      target: project.slug,
      ip: req.ip ?? null,
    });
    return true;
  });
}

/** A build whose resources a deletion removes. */
export interface BuildToDelete {
  id: string;
  number: number;
  stage: Stage;
  state: string;
  databaseName: string | null;
  inProgress: boolean;
}

export interface BranchDeletion {
  id: string;
  projectId: string;
  projectSlug: string;
  name: string;
  deletingAt: Date | null;
  deletedAt: Date | null;
  builds: BuildToDelete[];
}

const buildSelect = { id: true, number: true, stage: true, state: true, databaseName: true, inProgressSlot: true } as const;

function toBuild(b: {
  id: string;
  number: number;
  stage: Stage;
  state: string;
  databaseName: string | null;
  inProgressSlot: boolean | null;
}) {
  return {
    id: b.id,
    number: b.number,
    stage: b.stage,
    state: b.state,
    databaseName: b.databaseName,
    inProgress: b.inProgressSlot === true,
  };
}

export async function findBranchDeletion(db: Db, branchId: string): Promise<BranchDeletion | null> {
  const row = await db.branch.findUnique({
    where: { id: branchId },
    select: {
      id: true,
      projectId: true,
      name: true,
      deletingAt: true,
      deletedAt: true,
      project: { select: { slug: true } },
      builds: { select: buildSelect, orderBy: { number: "asc" } },
    },
  });
  if (!row) return null;
  const { project, builds, ...branch } = row;
  return { ...branch, projectSlug: project.slug, builds: builds.map(toBuild) };
}

/** Running builds of a deletion are stopped first, so no route keeper puts their routes back. */
export async function stopBuildsForDeletion(db: Db, buildIds: string[]): Promise<void> {
  for (const id of buildIds) await stopBuild(db, id);
}

/** Files of the builds' captured mails (removed with the builds). */
export async function listMailFilesOfBuilds(db: Db, buildIds: string[]): Promise<string[]> {
  if (buildIds.length === 0) return [];
  const rows = await db.mail.findMany({ where: { buildId: { in: buildIds } }, select: { rawPath: true } });
  return rows.map((r) => r.rawPath);
}

/**
 * The end of a branch deletion, in one transaction: its builds' rows go (steps, metrics and build
 * events with them; backups keep their row without the build), the branch is marked deleted and
 * back in development (a later push of a new commit brings it back as a new branch), with an event.
 */
export async function finishBranchDeletion(db: Db, { branchId, message }: { branchId: string; message: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const branch = await tx.branch.findUnique({ where: { id: branchId }, select: { projectId: true, deletedAt: true } });
    if (!branch || branch.deletedAt) return;
    await tx.mail.deleteMany({ where: { build: { branchId } } });
    await tx.build.deleteMany({ where: { branchId } });
    await tx.domain.deleteMany({ where: { branchId } });
    await tx.branch.update({
      where: { id: branchId },
      data: { deletedAt: new Date(), stage: "development", productionSlot: null, pinned: false },
    });
    await insertEvent(tx, { projectId: branch.projectId, branchId, kind: "branch.deleted", message });
  });
}

export interface ProjectDeletion {
  id: string;
  slug: string;
  deletingAt: Date | null;
  deletedAt: Date | null;
  branchIds: string[];
  builds: BuildToDelete[];
}

export async function findProjectDeletion(db: Db, projectId: string): Promise<ProjectDeletion | null> {
  const row = await db.project.findUnique({
    where: { id: projectId },
    select: {
      id: true,
      slug: true,
      deletingAt: true,
      deletedAt: true,
      branches: { select: { id: true } },
      builds: { select: buildSelect, orderBy: { number: "asc" } },
    },
  });
  if (!row) return null;
  const { branches, builds, ...project } = row;
  return { ...project, branchIds: branches.map((b) => b.id), builds: builds.map(toBuild) };
}

/**
 * The end of a project deletion: everything but its backups (and the branches they belong to),
 * its history and audit go; the row is marked deleted. Its backups expire at `backupsExpireAt`.
 */
export async function finishProjectDeletion(db: Db, { projectId, backupsExpireAt }: { projectId: string; backupsExpireAt: Date }) {
  await db.$transaction(async (tx) => {
    const project = await tx.project.findUnique({ where: { id: projectId }, select: { deletedAt: true } });
    if (!project || project.deletedAt) return;
    await tx.mail.deleteMany({ where: { projectId } });
    await tx.build.deleteMany({ where: { projectId } });
    await tx.domain.deleteMany({ where: { projectId } });
    await tx.collaborator.deleteMany({ where: { projectId } });
    const now = new Date();
    await tx.branch.updateMany({
      where: { projectId },
      data: { deletingAt: now, archivedAt: now, deletedAt: now, productionSlot: null, pinned: false },
    });
    await tx.backup.updateMany({
      where: { projectId, OR: [{ expiresAt: null }, { expiresAt: { gt: backupsExpireAt } }] },
      data: { expiresAt: backupsExpireAt },
    });
    await tx.project.update({ where: { id: projectId }, data: { deletedAt: now } });
    await insertEvent(tx, {
      projectId,
      kind: "project.deleted",
      message: `Project deleted; its backups are kept until ${backupsExpireAt.toISOString()}.`,
    });
  });
}

/** Deletions asked for and not finished (a crashed or lost job): reconcile enqueues them again. */
export async function listUnfinishedDeletions(db: Db): Promise<{ branchIds: string[]; projectIds: string[] }> {
  const [branches, projects] = await Promise.all([
    db.branch.findMany({ where: { deletingAt: { not: null }, deletedAt: null, project: { deletingAt: null } }, select: { id: true } }),
    db.project.findMany({ where: { deletingAt: { not: null }, deletedAt: null }, select: { id: true } }),
  ]);
  return { branchIds: branches.map((b) => b.id), projectIds: projects.map((p) => p.id) };
}

/** Whether a project is being deleted or deleted (nothing may start on it). */
export async function isProjectDeleting(db: Db, projectId: string): Promise<boolean> {
  const row = await db.project.findUnique({ where: { id: projectId }, select: { deletingAt: true } });
  return !row || row.deletingAt !== null;
}

/** Deleted projects whose grace period is over: their backups' files, then the rows, go. */
export async function listExpiredDeletedProjects(
  db: Db,
  { deletedBefore }: { deletedBefore: Date },
): Promise<{ id: string; slug: string; backups: { id: string; location: string | null }[] }[]> {
  return db.project.findMany({
    where: { deletedAt: { lt: deletedBefore } },
    select: { id: true, slug: true, backups: { select: { id: true, location: true } } },
  });
}

/** Removes a deleted project's row (its backups' rows, branches, history go with it; audit stays). */
export async function purgeDeletedProject(db: Db, projectId: string): Promise<boolean> {
  const { count } = await db.project.deleteMany({ where: { id: projectId, deletedAt: { not: null } } });
  return count > 0;
}
