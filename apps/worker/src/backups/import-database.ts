// Import an uploaded database into a production or staging branch (docs/product/production-updates-and-backups.md): validated first
// (inspectImport), applied only with `confirmOverwrite: true`. The upload is loaded under a scratch
// name beside the live database (psql for an Odoo zip's dump.sql, pg_restore for a custom dump),
// its Odoo version checked in the data itself, crons and mail servers disabled (staging: the whole
// neutralization), a safety backup of the branch taken, then the swap; finally an "import" backup
// keeps the imported state.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { backupLogsDir } from "@slipway/config";
import { insertEvent } from "@slipway/db";
import { assertBackupAllowed, DomainError } from "@slipway/domain";
import { ensureProjectNetwork } from "../isolation/project-network";
import { mailCatcherAddress } from "../odoo/mail-catcher-address";
import { withClient } from "../postgres";
import { openZipEntry } from "./archive/zip-reader";
import { writeTar } from "./archive/tar";
import { createBackup } from "./create-backup";
import { backupStoreOf, branchDatabase, scratchName, toolsContextOf, type BackupDeps } from "./engine/context";
import { moveFilestores, writeFilestore } from "./engine/filestore-volume";
import { odooMajorOf, odooSeriesOf } from "./engine/manifest";
import { disableCronsAndMail, neutralizeCopy, type MailCatcher } from "./engine/neutralize-copy";
import { createDatabase, dropDatabase, pgRestoreCustom, psqlLoad } from "../postgres";
import { swapDatabase } from "./engine/swap-database";
import { refreshRoutes } from "../proxy/route-keeper";
import { inspectImport, type ImportLimits, type ImportPlan } from "./inspect-import";

export interface ImportDatabaseOptions extends BackupDeps {
  branchId: string;
  /** The uploaded file on the worker's disk. */
  file: string;
  /** Must be `true`: the import overwrites the branch's database and filestore. */
  confirmOverwrite: boolean;
  /** Default: SLIPWAY_IMPORT_MAX_BYTES. */
  limits?: Partial<ImportLimits>;
  /** Where a staging copy sends mail (required for a staging target). */
  catcher?: MailCatcher;
  actorId?: string;
  signal?: AbortSignal;
  onStep?: (step: string) => void;
}

export interface ImportResult {
  format: ImportPlan["format"];
  odooVersion: string;
  filestoreFiles: number;
  safetyBackupId: string;
  importBackupId: string;
  /** psql/pg_restore messages of statements Odoo's restore also tolerates (extension comments …). */
  warnings: string;
}

export async function importDatabase(options: ImportDatabaseOptions): Promise<ImportResult> {
  const { deps } = options;
  const step = options.onStep ?? (() => undefined);
  const target = await branchDatabase(deps, options.branchId);
  if (options.confirmOverwrite !== true) {
    throw new DomainError(
      "invalid_input",
      `Importing a database overwrites the database and filestore of branch ${target.branch.name}: confirm it first.`,
    );
  }
  assertBackupAllowed({ stage: target.branch.stage, kind: "import" });
  const staging = target.branch.stage === "staging";
  step("validate the upload");
  const plan = await inspectImport({
    path: options.file,
    projectOdooVersion: target.project.odooVersion,
    limits: { maxBytes: deps.config.backups.importMaxBytes, ...options.limits },
  });

  const ctx = await toolsContextOf(deps, { project: target.project.slug, branch: target.branch.id }, options.signal);
  const network = await ensureProjectNetwork({ docker: deps.docker, pg: ctx.pg, project: target.project });
  const scratch = scratchName("import");
  const incoming = `.incoming-${randomBytes(6).toString("hex")}`;
  try {
    step("load the upload beside the live database");
    await createDatabase({ pg: ctx.pg, name: scratch });
    const run =
      plan.format === "zip"
        ? await psqlLoad({ ctx, database: scratch, input: await openZipEntry(plan.path, plan.dump, plan.sizeBytes) })
        : await pgRestoreCustom({ ctx, database: scratch, input: createReadStream(plan.path), strict: false });
    if (run.timedOut) throw new DomainError("upstream_failed", "loading the dump timed out");
    const series = await withClient({ pg: ctx.pg, database: scratch }, async (c) => {
      try {
        const r = await c.query<{ v: string | null }>(
          "SELECT latest_version AS v FROM ir_module_module WHERE name = 'base' AND state = 'installed'",
        );
        return odooSeriesOf(r.rows[0]?.v);
      } catch {
        return null;
      }
    });
    if (!series)
      throw new DomainError(
        "invalid_input",
        `The dump holds no Odoo database (no installed base module). ${run.stderr.trim().split("\n").slice(-3).join(" ")}`.trim(),
      );
    if (odooMajorOf(series) !== odooMajorOf(target.project.odooVersion)) {
      throw new DomainError(
        "invalid_input",
        `This dump holds an Odoo ${series} database but the project runs Odoo ${target.project.odooVersion}: upgrade it to ${target.project.odooVersion} first.`,
      );
    }

    step("load the filestore");
    const files = plan.format === "zip" ? plan.filestore : [];
    await writeFilestore({
      ctx,
      volume: target.volume,
      dir: incoming,
      tar: writeTar(files.map((f) => ({ path: f.path, size: f.entry.size, open: () => openZipEntry(plan.path, f.entry, plan.sizeBytes) }))),
    });
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
    } else {
      step("disable crons and mail servers");
      await disableCronsAndMail({ pg: ctx.pg, database: scratch });
    }
    step("safety backup");
    const store = backupStoreOf(options);
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
    await refreshRoutes(deps).catch((e: unknown) => deps.logger.warn({ err: String(e) }, "route refresh after the import failed"));
    step("backup of the imported database");
    const imported = await createBackup({ deps, store, branchId: target.branch.id, kind: "import", signal: options.signal });
    await insertEvent(deps.prisma, {
      projectId: target.project.id,
      branchId: target.branch.id,
      actorId: options.actorId ?? null,
      kind: "database.imported",
      message: `Database imported (${plan.format === "zip" ? "Odoo zip" : "pg_dump custom format"}, Odoo ${series}, ${files.length} filestore files); crons and mail servers disabled`,
      data: { safetyBackupId: safety.id, importBackupId: imported.id },
    });
    return {
      format: plan.format,
      odooVersion: series,
      filestoreFiles: files.length,
      safetyBackupId: safety.id,
      importBackupId: imported.id,
      warnings: run.stderr.slice(-8000),
    };
  } finally {
    // The swap stopped and started the server (a new address): its route follows it now, success or not.
    await refreshRoutes(deps).catch((e: unknown) => deps.logger.warn({ err: String(e) }, "route refresh after the import failed"));
    await dropDatabase({ pg: ctx.pg, name: scratch }).catch(() => undefined);
    await moveFilestores({ ctx, volume: target.volume, moves: [], remove: [incoming] }).catch(() => undefined);
  }
}
