import { enqueue, requeue, type Queues } from "./enqueue";

/**
 * Queues the `build.run` job of a build whose queued row is committed: the only place that job is
 * queued. New builds reach it through `startBuild` (@slipway/domain), which every starter uses;
 * `resume` queues it again for a build an interrupted run left in progress (reconcile), replacing
 * the finished job of the earlier attempt.
 */
export async function enqueueBuildRun(queues: Queues, buildId: string, options: { resume?: boolean } = {}): Promise<{ queued: boolean }> {
  if (options.resume) return { queued: (await requeue(queues, "build.run", { buildId })).requeued };
  await enqueue(queues, "build.run", { buildId });
  return { queued: true };
}
