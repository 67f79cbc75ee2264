// Daily schedules (BullMQ job schedulers, stored in Redis, so they survive restarts and fire once
// whatever the number of workers): one `backup.daily` per project at SLIPWAY_BACKUP_HOUR in
// SLIPWAY_BACKUP_TIME_ZONE, and one `backup.verify-latest` (restore tests) two hours later.
// syncBackupSchedulers() is idempotent: call it at worker start and whenever a project is created
// or deleted (it also removes the schedulers of projects that no longer exist).
import { listProjectIds } from "@slipway/db";
import { jobCatalog, jobOptionsFor, type Queues } from "@slipway/queue";
import type { WorkerDeps } from "../deps";

const DAILY_PREFIX = "backup.daily-";
export const VERIFY_SCHEDULER_ID = "backup.verify-latest";

export function dailySchedulerId(projectId: string): string {
  return `${DAILY_PREFIX}${projectId}`;
}

export async function syncBackupSchedulers(options: {
  deps: Pick<WorkerDeps, "prisma" | "config"> & { queues: Queues };
}): Promise<{ projects: number; removed: number }> {
  const { deps } = options;
  const { hour, timeZone } = deps.config.backups;
  const queue = deps.queues.get(jobCatalog["backup.daily"].queue);
  const projects = await listProjectIds(deps.prisma);
  for (const id of projects) {
    const payload = { projectId: id };
    const { jobId: _jobId, deduplication: _dedupe, ...opts } = jobOptionsFor("backup.daily", payload);
    await queue.upsertJobScheduler(
      dailySchedulerId(id),
      { pattern: `0 ${hour} * * *`, tz: timeZone },
      { name: "backup.daily", data: payload, opts },
    );
  }
  const verifyQueue = deps.queues.get(jobCatalog["backup.verify-latest"].queue);
  const { jobId: _v, deduplication: _d, ...verifyOpts } = jobOptionsFor("backup.verify-latest", {});
  await verifyQueue.upsertJobScheduler(
    VERIFY_SCHEDULER_ID,
    { pattern: `0 ${(hour + 2) % 24} * * *`, tz: timeZone },
    { name: "backup.verify-latest", data: {}, opts: verifyOpts },
  );

  const known = new Set(projects.map((id) => dailySchedulerId(id)));
  let removed = 0;
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    const id = scheduler.key;
    if (id.startsWith(DAILY_PREFIX) && !known.has(id)) {
      await queue.removeJobScheduler(id);
      removed++;
    }
  }
  return { projects: projects.length, removed };
}

export async function removeBackupScheduler(options: { queues: Queues; projectId: string }): Promise<void> {
  await options.queues.get(jobCatalog["backup.daily"].queue).removeJobScheduler(dailySchedulerId(options.projectId));
}
