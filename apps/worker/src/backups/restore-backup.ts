// Restore a backup into the production branch or a staging branch of the same project
// (docs/product/production-updates-and-backups.md): the backup is loaded under a scratch name beside the live database (nothing
// touched yet), neutralized when the target is staging, then a safety backup of the target is
// taken and the swap puts the restored database and filestore in place (automatic rollback).
import { randomBytes } from "node:crypto";
import { backupLogsDir } from "@slipway/config";
import { findBackup, insertEvent } from "@slipway/db";
import { DomainError, formatTimestamp } from "@slipway/domain";
import { createBackup } from "./create-backup";
import { backupStoreOf, branchDatabase, isStoreLocation, scratchName, toolsContextOf, type BackupDeps } from "./engine/context";
import { moveFilestores } from "./engine/filestore-volume";
import { loadBackup } from "./engine/load-backup";
import { odooMajorOf, storedManifest, type BackupManifest } from "./engine/manifest";
import { ensureProjectNetwork } from "../isolation/project-network";
import { mailCatcherAddress } from "../odoo/mail-catcher-address";
import { neutralizeCopy, type MailCatcher } from "./engine/neutralize-copy";
import { dropDatabase } from "../postgres";
import { swapDatabase } from "./engine/swap-database";
import { refreshRoutes } from "../proxy/route-keeper";

export interface RestoreBackupOptions extends BackupDeps {
  backupId: string;
  targetBranchId: string;
  /** Where a staging copy sends mail (required for a staging target). */
  catcher?: MailCatcher;
  /** Who asked (history entry). */
  actorId?: string;
  signal?: AbortSignal;
  /** Progress lines (tests, logs). */
  onStep?: (step: string) => void;
}

export interface RestoreResult {
  database: string;
  safetyBackupId: string;
  neutralized: boolean;
}

/** A completed backup of our store, with its manifest; refuses snapshots, pending, failed ones. */
export async function loadableBackup(
  options: BackupDeps & { backupId: string },
): Promise<{ row: { id: string; projectId: string; branchId: string; odooVersion: string | null }; manifest: BackupManifest }> {
  const row = await findBackup(options.deps.prisma, options.backupId);
  if (!row) throw new DomainError("not_found", `backup ${options.backupId} does not exist`);
  if (row.state !== "done") throw new DomainError("invalid_state", `backup ${row.id} is ${row.state}, not restorable`);
  if (!isStoreLocation(row.location) || !row.manifest)
    throw new DomainError("invalid_state", `backup ${row.id} is not in the backup store (location ${row.location ?? "none"})`);
  return { row, manifest: storedManifest(row.manifest) };
}

export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreResult> {
  const { deps } = options;
  const store = backupStoreOf(options);
  const step = options.onStep ?? (() => undefined);
  const { row, manifest } = await loadableBackup(options);
  const target = await branchDatabase(deps, options.targetBranchId);
  if (target.project.id !== row.projectId)
    throw new DomainError("invalid_input", "a backup can only be restored into a branch of its own project");
  if (target.branch.stage === "development")
    throw new DomainError("invalid_input", "backups are restored into the production branch or a staging branch, not a development branch");
  const staging = target.branch.stage === "staging";
  const [wanted, found] = [odooMajorOf(target.project.odooVersion), odooMajorOf(manifest.odoo.version)];
  if (found !== null && wanted !== null && found !== wanted) {
    throw new DomainError(
      "invalid_input",
      `this backup holds an Odoo ${manifest.odoo.version} database but the project runs Odoo ${target.project.odooVersion}`,
    );
  }

  const ctx = await toolsContextOf(deps, { project: target.project.slug, branch: target.branch.id }, options.signal);
  const network = await ensureProjectNetwork({ docker: deps.docker, pg: ctx.pg, project: target.project });
  const scratch = scratchName("restore");
  const incoming = `.incoming-${randomBytes(6).toString("hex")}`;
  try {
    step("load the backup beside the live database");
    await loadBackup({ store, ctx, manifest, database: scratch, filestore: { volume: target.volume, dir: incoming } });
    if (staging) {
      step("neutralize");
      await neutralizeCopy({
        docker: deps.docker,
        pg: ctx.pg,
        database: scratch,
        catcher: options.catcher ?? (await mailCatcherAddress(deps, network)),
        image: target.project.odooImage,
        odooVersion: target.project.odooVersion,
        volume: target.volume,
        network: network.name,
        logDir: backupLogsDir(deps.config.home, target.branch.id),
        labels: ctx.labels,
      });
    }
    step("safety backup");
    const safety = await createBackup({ deps, store, branchId: target.branch.id, kind: "safety", signal: options.signal });
    await swapDatabase({
      ctx,
      target,
      scratchDatabase: scratch,
      incomingDir: incoming,
      onStep: step,
      home: deps.config.home,
      faults: deps.faults,
    });
    await insertEvent(deps.prisma, {
      projectId: target.project.id,
      branchId: target.branch.id,
      actorId: options.actorId ?? null,
      kind: "backup.restored",
      message: `Backup of ${formatTimestamp(manifest.createdAt)} restored${staging ? " and neutralized" : ""}; safety backup taken first`,
      data: { backupId: row.id, safetyBackupId: safety.id },
    });
    return { database: target.database, safetyBackupId: safety.id, neutralized: staging };
  } finally {
    // The swap stopped and started the server (a new address): its route follows it now, success or not.
    await refreshRoutes(deps).catch((e: unknown) => deps.logger.warn({ err: String(e) }, "route refresh after the restore failed"));
    // After a success both are gone already (renamed into place); after a failure they are leftovers.
    await dropDatabase({ pg: ctx.pg, name: scratch }).catch(() => undefined);
    await moveFilestores({ ctx, volume: target.volume, moves: [], remove: [incoming] }).catch(() => undefined);
  }
}
