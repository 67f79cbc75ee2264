import { isDomainError } from "@slipway/domain";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { isJobName, queueCatalog, queueNames, type JobName, type QueueName } from "./catalog";
import { DEFAULT_QUEUE_PREFIX, parsePayload } from "./enqueue";
import type { JobHandler, JobHandlers } from "./handlers";

export type WorkerEvent =
  | { type: "job.active"; queue: QueueName; job: string; jobId: string; attempt: number }
  | { type: "job.completed"; queue: QueueName; job: string; jobId: string; durationMs: number }
  | { type: "job.failed"; queue: QueueName; job: string; jobId: string; error: string; willRetry: boolean }
  | { type: "worker.error"; queue: QueueName; error: string };

/**
 * Whether a failed job should be retried (within its catalog attempts). The one place where
 * domain error codes map to job retries: only transient failures are worth another attempt.
 */
export function isRetryable(error: unknown): boolean {
  if (isDomainError(error)) return error.code === "conflict" || error.code === "upstream_failed";
  return true;
}

function messageOf(error: unknown): string {
  if (isDomainError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  /**
   * Stops taking jobs and waits for running ones up to `graceMs`; past it, aborts their signals
   * and force-closes (an abandoned job is picked up again as stalled by the next worker).
   */
  close(options: { graceMs: number }): Promise<{ timedOut: boolean }>;
}

/** Starts one BullMQ worker per catalog queue, dispatching each job to its handler. */
export function startWorkers(options: {
  connection: Redis;
  handlers: JobHandlers;
  prefix?: string;
  concurrency?: Partial<Record<QueueName, number>>;
  onEvent?: (event: WorkerEvent) => void;
}): RunningWorkers {
  const emit = options.onEvent ?? (() => {});
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;

  const processorFor = (queue: QueueName) => async (job: Job, _token?: string, signal?: AbortSignal) => {
    const jobId = job.id ?? "";
    if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name} on queue ${queue}`);
    const name: JobName = job.name;
    let payload;
    try {
      payload = parsePayload(name, job.data);
    } catch (error) {
      throw new UnrecoverableError(messageOf(error));
    }
    emit({ type: "job.active", queue, job: name, jobId, attempt: job.attemptsMade + 1 });
    const handler = options.handlers[name] as JobHandler<JobName>;
    try {
      await handler(payload, { jobId, attempt: job.attemptsMade + 1, signal: signal ?? new AbortController().signal });
    } catch (error) {
      if (!isRetryable(error)) throw new UnrecoverableError(messageOf(error));
      throw error;
    }
  };

  const workers = queueNames.map((queue) => {
    const worker = new Worker(queue, processorFor(queue), {
      connection: options.connection,
      prefix,
      concurrency: options.concurrency?.[queue] ?? queueCatalog[queue].concurrency,
    });
    worker.on("completed", (job) => {
      const durationMs = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
      emit({ type: "job.completed", queue, job: job.name, jobId: job.id ?? "", durationMs });
    });
    worker.on("failed", (job, error) => {
      if (!job) return;
      const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
      emit({ type: "job.failed", queue, job: job.name, jobId: job.id ?? "", error: error.message, willRetry });
    });
    worker.on("error", (error) => emit({ type: "worker.error", queue, error: error.message }));
    return worker;
  });

  return {
    workers,
    async close({ graceMs }) {
      const closing = Promise.all(workers.map((w) => w.close()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const outcome = await Promise.race([closing.then(() => "closed" as const), deadline]);
      clearTimeout(timer);
      if (outcome === "closed") return { timedOut: false };
      for (const worker of workers) worker.cancelAllJobs("worker shutting down");
      await Promise.all(workers.map((w) => w.close(true)));
      return { timedOut: true };
    },
  };
}
