import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { backupIoDir } from "@slipway/config";
import { findBranchForBackups, findBranchServingBuild, type BackupBranchInfo } from "@slipway/db";
import { DomainError, volumeName } from "@slipway/domain";
import type { WorkerDeps } from "../../deps";
import type { BackupStore } from "../store/backup-store";
import { LocalBackupStore } from "../store/local-store";
import type { ToolsContext } from "../../postgres";
import { postgresForTools } from "../../odoo/staging-clones";

/** What every backup use case needs: the worker's dependencies and the store (tests pass their own). */
export interface BackupDeps {
  deps: WorkerDeps;
  /** Defaults to the local store at SLIPWAY_BACKUP_DIR (`<SLIPWAY_HOME>/backups`). */
  store?: BackupStore;
}

const stores = new Map<string, BackupStore>();

export function backupStoreOf(options: BackupDeps): BackupStore {
  if (options.store) return options.store;
  const root = options.deps.config.backups.root;
  let store = stores.get(root);
  if (!store) stores.set(root, (store = new LocalBackupStore(root)));
  return store;
}

/**
 * Helper containers stream through named pipes in `<SLIPWAY_HOME>/tmp/backup-io` (same host as the engine).
 * `database`: the server is the one holding it (a cloned staging database has its own, ADR 0009);
 * without it, the managed server (scratch databases of restores, verifications, imports).
 */
export async function toolsContextOf(
  deps: WorkerDeps,
  labels: Record<string, string>,
  signal?: AbortSignal,
  database?: string,
): Promise<ToolsContext> {
  const ioDir = backupIoDir(deps.config.home);
  await mkdir(ioDir, { recursive: true });
  return {
    docker: deps.docker,
    pg: database ? await postgresForTools(deps, database) : await deps.postgres(),
    image: deps.config.odooPgImage,
    labels: { backup: "true", ...labels },
    signal,
    ioDir,
  };
}

/** The database a branch serves now: the one of its running build (newest first). */
export interface BranchDatabase {
  branch: Omit<BackupBranchInfo, "project">;
  project: BackupBranchInfo["project"];
  database: string;
  volume: string;
  /** The server container of the running build (stopped during a restore), when there is one. */
  containerName: string | null;
  buildId: string | null;
}

export async function branchDatabase(deps: WorkerDeps, branchId: string): Promise<BranchDatabase> {
  const branch = await findBranchForBackups(deps.prisma, branchId);
  if (!branch) throw new DomainError("not_found", `branch ${branchId} does not exist`);
  const build = await findBranchServingBuild(deps.prisma, branchId);
  if (!build?.databaseName) {
    throw new DomainError("invalid_state", `branch ${branch.name} has no running build, so no database to back up or restore into`);
  }
  const { project, ...rest } = branch;
  return {
    branch: rest,
    project,
    database: build.databaseName,
    volume: volumeName({ databaseName: build.databaseName }),
    containerName: build.containerName,
    buildId: build.id,
  };
}

/** Store location of a backup's files. Rows of other kinds of location (snapshots) are not ours. */
export const backupLocation = (backupId: string) => `backups/${backupId}`;
export const isStoreLocation = (location: string | null): location is string =>
  location !== null && /^backups\/[0-9a-f-]{36}$/.test(location);

/** A scratch name on the managed server: never a build database name (those have no `_`). */
export function scratchName(purpose: "restore" | "verify" | "import"): string {
  return `slipway_${purpose}_${randomBytes(6).toString("hex")}`;
}
