// Worker start: every journaled operation a dead worker left (recovery/swap-journal.ts) is
// completed or rolled back before builds are resumed — a production rollback is completed (the
// snapshot's database and filestore put back), a restore swap not yet committed is rolled back (the
// previous database and filestore put back, the server started again) and a committed one finished.
import { listBuildDatabaseNames } from "@slipway/db";
import type { WorkerDeps } from "../deps";
import { toolsContextOf } from "../backups/engine/context";
import { recoverRestoreSwap } from "../backups/engine/swap-database";
import { resumeSnapshotRestore } from "../odoo/snapshot";
import { listSwapRecords } from "./swap-journal";

export interface ResumeReport {
  completed: string[];
  rolledBack: string[];
  failed: { database: string; error: string }[];
  durationMs: number;
}

export async function resumeInterruptedSwaps(deps: WorkerDeps): Promise<ResumeReport> {
  const started = Date.now();
  const report: ResumeReport = { completed: [], rolledBack: [], failed: [], durationMs: 0 };
  const records = listSwapRecords(deps.config.home);
  // Only databases of this control plane's builds: another Slipway (a test suite's worker) may share
  // the state folder and the managed server; its records are its own.
  const ours = new Set(
    await listBuildDatabaseNames(
      deps.prisma,
      records.map((r) => r.database),
    ),
  );
  for (const record of records.filter((r) => ours.has(r.database))) {
    try {
      if (record.kind === "snapshot-restore") {
        await resumeSnapshotRestore({
          docker: deps.docker,
          pg: await deps.postgres(),
          toolsImage: deps.config.odooPgImage,
          labels: { recovery: "true" },
          home: deps.config.home,
          database: record.database,
          faults: deps.faults,
        });
        report.completed.push(record.database);
      } else {
        const ctx = await toolsContextOf(deps, { recovery: "true" });
        const outcome = await recoverRestoreSwap({ ctx, home: deps.config.home, database: record.database, faults: deps.faults });
        (outcome === "rolled-back" ? report.rolledBack : report.completed).push(record.database);
      }
    } catch (e) {
      // Left journaled: the next start (or the next operation on this database) tries again.
      report.failed.push({ database: record.database, error: (e as Error).message });
      deps.logger.error(
        { database: record.database, kind: record.kind, err: (e as Error).message },
        "an interrupted swap could not be recovered",
      );
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}
