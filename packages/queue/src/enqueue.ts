import { DomainError } from "@slipway/domain";
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { jobCatalog, queueNames, type JobName, type JobPayload, type QueueName } from "./catalog";

/** Key prefix of every BullMQ key; tests pass their own to stay apart from a running worker. */
export const DEFAULT_QUEUE_PREFIX = "slipway";

/** Kept finished jobs: enough to inspect recent work without growing Redis forever. */
const keepCompleted = { age: 24 * 3600, count: 1000 };

export interface Queues {
  readonly prefix: string;
  get(name: QueueName): Queue;
  close(): Promise<void>;
}

/** One BullMQ Queue per catalog queue, sharing the given connection. */
export function createQueues(options: { connection: Redis; prefix?: string }): Queues {
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
  const queues = new Map<QueueName, Queue>(queueNames.map((name) => [name, new Queue(name, { connection: options.connection, prefix })]));
  return {
    prefix,
    get(name) {
      const queue = queues.get(name);
      if (!queue) throw new Error(`Unknown queue ${name}`);
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/** BullMQ options for one catalog job: retries, dedupe and retention come from the catalog. */
export function jobOptionsFor<N extends JobName>(name: N, payload: JobPayload<N>): JobsOptions {
  const definition = jobCatalog[name];
  const key = (definition.dedupeKey as (p: JobPayload<N>) => string)(payload);
  const options: JobsOptions = {
    attempts: definition.attempts,
    removeOnComplete: keepCompleted,
    // Failed jobs stay for inspection.
    removeOnFail: false,
  };
  if (definition.backoff) options.backoff = { type: definition.backoff.type, delay: definition.backoff.delayMs };
  if (definition.dedupe === "lifetime") options.jobId = key;
  else options.deduplication = { id: key };
  return options;
}

/** Parses a payload against the catalog; throws DomainError("invalid_input") listing the issues. */
export function parsePayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  const definition = jobCatalog[name];
  if (!definition) throw new DomainError("invalid_input", `Unknown job ${String(name)}`);
  const result = definition.payload.safeParse(payload);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`);
    throw new DomainError("invalid_input", `Invalid payload for job ${name}: ${issues.join("; ")}`, {
      details: { job: name, issues },
    });
  }
  return result.data as JobPayload<N>;
}

/**
 * Validates the payload, then queues the job on its catalog queue. Returns the BullMQ job id; a
 * deduplicated enqueue returns the id of the job already queued.
 */
export async function enqueue<N extends JobName>(queues: Queues, name: N, payload: JobPayload<N>): Promise<{ jobId: string }> {
  const data = parsePayload(name, payload);
  const job = await queues.get(jobCatalog[name].queue).add(name, data, jobOptionsFor(name, data));
  if (job.id === undefined) throw new DomainError("upstream_failed", `Redis returned no id for job ${name}`);
  return { jobId: job.id };
}

/**
 * Queues a job again after an interrupted run (worker crash or restart): for "lifetime" jobs the
 * kept job of the earlier attempt would swallow the new one, so it is removed first unless it is
 * still waiting or running (then nothing needs doing).
 */
export async function requeue<N extends JobName>(
  queues: Queues,
  name: N,
  payload: JobPayload<N>,
): Promise<{ jobId: string; requeued: boolean }> {
  const data = parsePayload(name, payload);
  const options = jobOptionsFor(name, data);
  const queue = queues.get(jobCatalog[name].queue);
  if (options.jobId) {
    const existing = await queue.getJob(options.jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === "waiting" || state === "delayed" || state === "prioritized" || state === "waiting-children")
        return { jobId: options.jobId, requeued: false };
      if (state === "active") {
        // An active job whose lock expired belongs to a dead worker; BullMQ's stalled check moves it.
        return { jobId: options.jobId, requeued: false };
      }
      await existing.remove();
    }
  }
  const job = await queue.add(name, data, options);
  return { jobId: job.id ?? "", requeued: true };
}
