import type { Queues } from "@slipway/queue";

/** A restore or import of a branch queued, running, done or failed lately (the Backups tab shows it). */
export interface BranchOperation {
  kind: "restore" | "import";
  state: "queued" | "running" | "done" | "failed";
  /** The restored backup (restores). */
  backupId: string | null;
  at: Date;
  /** Why it failed (the engine's message; a failed restore/import rolled back, nothing changed). */
  error: string | null;
}

const FAILED_SHOWN_MS = 24 * 3600_000;
/** A finished restore or import is announced for a while (the success notice), then only its history event stays. */
const DONE_SHOWN_MS = 15 * 60_000;

/**
 * Restores and imports of a branch from the backup jobs themselves (BullMQ keeps running, waiting,
 * failed and, for a day, completed jobs): no table of its own, the queue is the truth about work in flight.
 */
export async function branchOperations(options: { queues: Queues; branchId: string; now?: Date }): Promise<BranchOperation[]> {
  const queue = options.queues.get("backups");
  const now = (options.now ?? new Date()).getTime();
  const [pending, failed, completed] = await Promise.all([
    queue.getJobs(["active", "waiting", "delayed", "prioritized"], 0, 500),
    queue.getJobs(["failed"], 0, 200),
    queue.getJobs(["completed"], 0, 200),
  ]);
  const out: BranchOperation[] = [];
  const active = new Set((await queue.getJobs(["active"], 0, 50)).map((j) => j.id));
  for (const job of [...pending, ...failed, ...completed]) {
    if (!job) continue;
    const data = (job.data ?? {}) as { targetBranchId?: string; branchId?: string; backupId?: string };
    const kind = job.name === "backup.restore" ? "restore" : job.name === "backup.import" ? "import" : null;
    if (!kind) continue;
    if ((kind === "restore" ? data.targetBranchId : data.branchId) !== options.branchId) continue;
    const isFailed = failed.includes(job);
    const isDone = completed.includes(job);
    const at = job.finishedOn ?? job.processedOn ?? job.timestamp;
    if (isFailed && now - at > FAILED_SHOWN_MS) continue;
    if (isDone && now - at > DONE_SHOWN_MS) continue;
    out.push({
      kind,
      state: isFailed ? "failed" : isDone ? "done" : active.has(job.id) ? "running" : "queued",
      backupId: data.backupId ?? null,
      at: new Date(at),
      // The worker records "<domain code>: <message>"; the message is what the user needs.
      error: isFailed
        ? (job.failedReason || "failed")
            .replace(/^(invalid_input|invalid_state|not_found|conflict|forbidden|upstream_failed): /, "")
            .slice(0, 2000)
        : null,
    });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Whether a restore or import of the branch is queued or running (a second one is refused). */
export async function hasPendingOperation(options: { queues: Queues; branchId: string }): Promise<boolean> {
  return (await branchOperations(options)).some((o) => o.state === "queued" || o.state === "running");
}
