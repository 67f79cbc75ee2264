/** Queues the `build.run` job of a build whose row is committed (the job queue's side, injected). */
export type EnqueueBuildRun = (buildId: string) => Promise<unknown>;

/**
 * Starts a build, for every starter (webhook, poller, rebuild, the follow-up of a build that ends
 * with its branch head moved): `queueRow` writes the queued build row through the build repository
 * and commits; then, only when it queued one (`queuedBuild` of its result), the `build.run` job is
 * enqueued. Row first, job after commit: a job never names a row that is not there, and a row
 * whose job is lost (Redis down) is queued again by the worker's reconciliation.
 */
export async function startBuild<R>(
  enqueueRun: EnqueueBuildRun,
  queueRow: () => Promise<R>,
  queuedBuild: (result: R) => { id: string } | null,
): Promise<R> {
  const result = await queueRow();
  const build = queuedBuild(result);
  if (build) await enqueueRun(build.id);
  return result;
}
