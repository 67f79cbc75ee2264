// The worker's side of the Backup rows: the backup engine creates a row (pending), marks it running,
// then done (with its manifest) or failed; restore tests record their verdict; retention reads a
// project's rows and deletes the dropped ones; the object sweep reads every live manifest. Also the
// few branch and project reads the backup jobs need (which database a branch serves now, which
// projects get a daily schedule). Rows leave as read models: no generated type crosses this file.
import type { BackupKind, Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db, DbTx } from "../client";

export type BackupRowState = "pending" | "running" | "done" | "failed";

/** A whole Backup row. `manifest` is the stored JSON document (the engine knows its shape). */
export interface BackupRecord {
  id: string;
  projectId: string;
  branchId: string;
  buildId: string | null;
  kind: BackupKind;
  state: BackupRowState;
  /** Location inside the backup store (`backups/<id>`), or another kind of location (snapshots). */
  location: string | null;
  sizeBytes: bigint | null;
  checksum: string | null;
  odooVersion: string | null;
  manifest: unknown;
  error: string | null;
  verifiedAt: Date | null;
  verifyError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date | null;
}

export function findBackup(db: Db | DbTx, backupId: string): Promise<BackupRecord | null> {
  return db.backup.findUnique({ where: { id: backupId } });
}

/** The project, branch and kind of a backup (for notices and job payloads holding only its id). */
export function findBackupPlace(db: Db, backupId: string): Promise<{ projectId: string; branchId: string; kind: BackupKind } | null> {
  return db.backup.findUnique({ where: { id: backupId }, select: { projectId: true, branchId: true, kind: true } });
}

export interface NewBackup {
  projectId: string;
  branchId: string;
  buildId?: string | null;
  kind: BackupKind;
  createdAt: Date;
  expiresAt: Date | null;
}

/** A new row in state pending. */
export function insertPendingBackup(db: Db | DbTx, backup: NewBackup): Promise<BackupRecord> {
  return db.backup.create({
    data: {
      projectId: backup.projectId,
      branchId: backup.branchId,
      ...(backup.buildId !== undefined ? { buildId: backup.buildId } : {}),
      kind: backup.kind,
      state: "pending",
      createdAt: backup.createdAt,
      expiresAt: backup.expiresAt,
    },
  });
}

export async function markBackupRunning(db: Db, { backupId, location }: { backupId: string; location: string }): Promise<void> {
  await db.backup.update({ where: { id: backupId }, data: { state: "running", location, error: null } });
}

export function markBackupDone(
  db: Db,
  done: {
    backupId: string;
    sizeBytes: bigint;
    checksum: string;
    odooVersion: string | null;
    /** A JSON document (the manifest as parsed back from its stored text). */
    manifest: unknown;
    finishedAt: Date;
  },
): Promise<BackupRecord> {
  return db.backup.update({
    where: { id: done.backupId },
    data: {
      state: "done",
      sizeBytes: done.sizeBytes,
      checksum: done.checksum,
      odooVersion: done.odooVersion,
      manifest: done.manifest as Prisma.InputJsonValue,
      finishedAt: done.finishedAt,
    },
  });
}

export async function markBackupFailed(db: Db, failed: { backupId: string; error: string; finishedAt: Date }): Promise<void> {
  await db.backup.update({
    where: { id: failed.backupId },
    data: { state: "failed", error: failed.error, finishedAt: failed.finishedAt },
  });
}

/** A restore test's verdict: `verifiedAt` when it passed, `verifyError` (what failed) otherwise. */
export async function recordBackupVerification(
  db: Db,
  verdict: { backupId: string; verifiedAt: Date | null; verifyError: string | null },
): Promise<void> {
  await db.backup.update({
    where: { id: verdict.backupId },
    data: { verifiedAt: verdict.verifiedAt, verifyError: verdict.verifyError },
  });
}

export interface BackupForPruning {
  id: string;
  branchId: string;
  kind: BackupKind;
  state: BackupRowState;
  createdAt: Date;
  location: string | null;
}

/** Every backup of a project, in any state (retention decides which go). */
export function listProjectBackupsForPruning(db: Db, projectId: string): Promise<BackupForPruning[]> {
  return db.backup.findMany({
    where: { projectId },
    select: { id: true, branchId: true, kind: true, state: true, createdAt: true, location: true },
  });
}

export async function deleteBackupRow(db: Db, backupId: string): Promise<void> {
  await db.backup.delete({ where: { id: backupId } });
}

export interface LiveBackupManifest {
  id: string;
  state: BackupRowState;
  location: string | null;
  manifest: unknown;
  createdAt: Date;
}

/** Backups of every project that are done or still being taken, with their manifests (the object sweep's marks). */
export function listLiveBackupManifests(db: Db): Promise<LiveBackupManifest[]> {
  return db.backup.findMany({
    where: { state: { in: ["done", "running", "pending"] } },
    select: { id: true, state: true, location: true, manifest: true, createdAt: true },
  });
}

/** The manifest of the branch's newest completed backup in the store, other than `excludeId` (null: none). */
export async function findLatestStoredManifest(db: Db, { branchId, excludeId }: { branchId: string; excludeId: string }): Promise<unknown> {
  const latest = await db.backup.findFirst({
    where: { branchId, state: "done", id: { not: excludeId }, location: { startsWith: "backups/" } },
    orderBy: { createdAt: "desc" },
    select: { manifest: true },
  });
  return latest?.manifest ?? null;
}

/** The newest completed backups of a project's production branch, newest first. */
export function listLatestProductionBackups(db: Db, { projectId, limit }: { projectId: string; limit: number }): Promise<BackupRecord[]> {
  return db.backup.findMany({
    where: { projectId, state: "done", branch: { stage: "production" } },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
}

/** A branch as the backup jobs see it, with its project. */
export interface BackupBranchInfo {
  id: string;
  projectId: string;
  name: string;
  stage: Stage;
  project: { id: string; slug: string; odooVersion: string; odooImage: string };
}

export function findBranchForBackups(db: Db | DbTx, branchId: string): Promise<BackupBranchInfo | null> {
  return db.branch.findUnique({
    where: { id: branchId },
    select: {
      id: true,
      projectId: true,
      name: true,
      stage: true,
      project: { select: { id: true, slug: true, odooVersion: true, odooImage: true } },
    },
  });
}

/** The database a branch serves now: that of its newest running build that has one (null: none). */
export function findBranchServingBuild(
  db: Db,
  branchId: string,
): Promise<{ id: string; databaseName: string | null; containerName: string | null } | null> {
  return db.build.findFirst({
    where: { branchId, state: "running", databaseName: { not: null } },
    orderBy: { number: "desc" },
    select: { id: true, databaseName: true, containerName: true },
  });
}

/** The id of the project's production branch (null when it has none). */
export async function findProductionBranchId(db: Db, projectId: string): Promise<string | null> {
  const branch = await db.branch.findFirst({ where: { projectId, stage: "production" }, select: { id: true } });
  return branch?.id ?? null;
}

/** Every project's id (daily schedules, restore tests of every project). */
export async function listProjectIds(db: Db): Promise<string[]> {
  const rows = await db.project.findMany({ select: { id: true } });
  return rows.map((r) => r.id);
}
