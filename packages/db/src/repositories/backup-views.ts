// Read models of the Backups tab: a branch's backups (explicit selects: no manifest bodies in
// lists), one backup of a project for download/restore, the branches a backup can be shown for or
// restored into, and the manual backups of the last days (the 5-per-day quota).
import type { BackupKind, Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db, DbTx } from "../client";

const backupRowSelect = {
  id: true,
  branchId: true,
  kind: true,
  state: true,
  sizeBytes: true,
  odooVersion: true,
  error: true,
  verifiedAt: true,
  verifyError: true,
  createdAt: true,
  finishedAt: true,
  expiresAt: true,
} as const satisfies Prisma.BackupSelect;

type BackupRowPayload = Prisma.BackupGetPayload<{ select: typeof backupRowSelect }>;

/** One line of the Backups tab (sizes as numbers: a backup is far below 2^53 bytes). */
export interface BackupListRow {
  id: string;
  branchId: string;
  kind: BackupKind;
  state: "pending" | "running" | "done" | "failed";
  sizeBytes: number | null;
  odooVersion: string | null;
  error: string | null;
  verifiedAt: Date | null;
  verifyError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date | null;
}

const toRow = ({ sizeBytes, ...rest }: BackupRowPayload): BackupListRow => ({
  ...rest,
  sizeBytes: sizeBytes === null ? null : Number(sizeBytes),
});

/** A branch's backups, newest first. */
export async function listBranchBackups(
  prisma: Db,
  { branchId, limit = 200 }: { branchId: string; limit?: number },
): Promise<BackupListRow[]> {
  const rows = await prisma.backup.findMany({ where: { branchId }, orderBy: { createdAt: "desc" }, take: limit, select: backupRowSelect });
  return rows.map(toRow);
}

export interface ProjectBackup extends BackupListRow {
  projectId: string;
  location: string | null;
  branch: { id: string; name: string; stage: Stage; archivedAt: Date | null };
  /** From the manifest: the stored custom-format dump (key in the store, size) and the database name. */
  /** `chunksKey`: the dump is a deduplicated blob (its chunk list), not a file at `key` (ADR 0008). */
  dump: { key: string; size: number; chunksKey: string | null } | null;
  database: string | null;
}

/** A backup of the project by id (null when missing, malformed or of another project). */
export async function findProjectBackup(
  prisma: Db,
  { projectId, backupId }: { projectId: string; backupId: string },
): Promise<ProjectBackup | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(backupId)) return null;
  const row = await prisma.backup.findFirst({
    where: { id: backupId, projectId },
    select: {
      ...backupRowSelect,
      projectId: true,
      location: true,
      manifest: true,
      branch: { select: { id: true, name: true, stage: true, archivedAt: true } },
    },
  });
  if (!row) return null;
  const { manifest, projectId: pid, location, branch, ...rest } = row;
  const m = (manifest ?? {}) as { dump?: { key?: unknown; size?: unknown; chunks?: { key?: unknown } }; database?: unknown };
  const chunksKey = typeof m.dump?.chunks?.key === "string" ? m.dump.chunks.key : null;
  const dump =
    typeof m.dump?.key === "string" && typeof m.dump.size === "number" ? { key: m.dump.key, size: m.dump.size, chunksKey } : null;
  return { ...toRow(rest), projectId: pid, location, branch, dump, database: typeof m.database === "string" ? m.database : null };
}

export interface BackupBranch {
  id: string;
  name: string;
  stage: Stage;
  /** Whether the branch serves a database now (a running build): needed to back it up or restore into it. */
  hasDatabase: boolean;
}

/** The project's live branches, production first, then staging, then development, by name. */
export async function listBackupBranches(prisma: Db, { projectId }: { projectId: string }): Promise<BackupBranch[]> {
  const rows = await prisma.branch.findMany({
    where: { projectId, archivedAt: null },
    select: {
      id: true,
      name: true,
      stage: true,
      builds: { where: { state: "running", databaseName: { not: null } }, select: { id: true }, take: 1 },
    },
  });
  const order = { production: 0, staging: 1, development: 2 } as const;
  return rows
    .map(({ builds, ...b }) => ({ ...b, hasDatabase: builds.length > 0 }))
    .sort((a, b) => order[a.stage] - order[b.stage] || a.name.localeCompare(b.name));
}

/** Creation times of the branch's manual backups (not failed) since `since`: the daily quota counts them. */
export async function listRecentManualBackupTimes(
  prisma: Db | DbTx,
  { branchId, since }: { branchId: string; since: Date },
): Promise<Date[]> {
  const rows = await prisma.backup.findMany({
    where: { branchId, kind: "manual", state: { not: "failed" }, createdAt: { gte: since } },
    select: { createdAt: true },
  });
  return rows.map((r) => r.createdAt);
}
