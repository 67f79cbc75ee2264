import type { JobName, JobPayload } from "./catalog";

export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the worker shuts down past its grace period; long handlers should honour it. */
  signal: AbortSignal;
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, context: JobContext) => Promise<void>;

/**
 * One handler per catalog job. Declare the registry with `satisfies JobHandlers` so a catalog
 * entry without a handler (or a handler for an unknown job) fails the type check.
 */
export type JobHandlers = { [N in JobName]: JobHandler<N> };
