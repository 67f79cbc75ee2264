import type { Queues } from "@slipway/queue";
import { jobOptionsFor } from "@slipway/queue";

export const GC_EVERY_MS = 60 * 60_000;
export const GC_SCHEDULER_ID = "maintenance.gc-hourly";

/**
 * Registers (idempotently) the hourly `maintenance.gc` job with BullMQ's job scheduler, so one
 * schedule exists however many times or workers start.
 */
export async function scheduleGarbageCollection(queues: Queues, everyMs = GC_EVERY_MS): Promise<void> {
  const { attempts, removeOnComplete, removeOnFail } = jobOptionsFor("maintenance.gc", {});
  await queues
    .get("maintenance")
    .upsertJobScheduler(
      GC_SCHEDULER_ID,
      { every: everyMs },
      { name: "maintenance.gc", data: {}, opts: { attempts, removeOnComplete, removeOnFail } },
    );
}
