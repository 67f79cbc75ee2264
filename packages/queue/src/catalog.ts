import { commitStatusVerdicts } from "@slipway/domain";
import { z } from "zod";

/**
 * Queues and their default worker concurrency. Cancels and polls live apart from builds so they
 * are never stuck behind long builds; the machine has 2 cores, hence 2 concurrent builds.
 */
export const queueCatalog = {
  builds: { concurrency: 2 },
  control: { concurrency: 5 },
  backups: { concurrency: 1 },
  maintenance: { concurrency: 1 },
} as const satisfies Record<string, { concurrency: number }>;

export type QueueName = keyof typeof queueCatalog;
export const queueNames = Object.keys(queueCatalog) as QueueName[];

export interface JobDefinition<P extends z.ZodType<Record<string, unknown>>> {
  queue: QueueName;
  /** Ids only: handlers re-read the state they need, so a job never carries stale data. */
  payload: P;
  /** Dedupe key (a function of the payload); BullMQ ids may not contain ":". */
  dedupeKey: (payload: z.infer<P>) => string;
  /**
   * "lifetime": one job per key ever (the key becomes the job id; kept failed jobs block repeats).
   * "while-pending": a second enqueue is dropped while one is waiting/delayed, but allowed after it
   * finished or failed — for recurring work such as polls and backups.
   */
  dedupe: "lifetime" | "while-pending";
  attempts: number;
  backoff?: { type: "fixed" | "exponential"; delayMs: number };
}

function defineJob<P extends z.ZodType<Record<string, unknown>>>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

const none = z.strictObject({});

/** Every job the platform runs. Adding one here forces a handler in apps/worker (type check). */
export const jobCatalog = {
  "build.run": defineJob({
    queue: "builds",
    payload: z.strictObject({ buildId: z.uuid() }),
    dedupeKey: (p) => `build.run-${p.buildId}`,
    dedupe: "lifetime",
    // A failed build is a result, not a transient error; crashes are recovered by reconcile.
    attempts: 1,
  }),
  "build.cancel": defineJob({
    queue: "control",
    payload: z.strictObject({ buildId: z.uuid() }),
    dedupeKey: (p) => `build.cancel-${p.buildId}`,
    dedupe: "while-pending",
    attempts: 3,
    backoff: { type: "exponential", delayMs: 1_000 },
  }),
  "branch.poll": defineJob({
    queue: "control",
    payload: z.strictObject({ projectId: z.uuid() }),
    dedupeKey: (p) => `branch.poll-${p.projectId}`,
    dedupe: "while-pending",
    // The next scheduled poll is the retry.
    attempts: 1,
  }),
  /**
   * Scheduled every SLIPWAY_POLL_INTERVAL_SECONDS: queues a `branch.poll` of every project (new
   * projects are polled from their first round on, deleted ones drop out).
   */
  "branch.poll-all": defineJob({
    queue: "control",
    payload: none,
    dedupeKey: () => "branch.poll-all",
    dedupe: "while-pending",
    attempts: 1,
  }),
  /**
   * Build now / Rebuild of a branch for `actorId` (the web checked their role): the worker reads
   * the branch head in the repository (`git ls-remote`), records it and builds it (startBuild).
   */
  "branch.build": defineJob({
    queue: "control",
    payload: z.strictObject({
      branchId: z.uuid(),
      actorId: z.uuid(),
      /** The requester's address, for the audit entry. */
      ip: z.string().max(100).nullable(),
    }),
    dedupeKey: (p) => `branch.build-${p.branchId}`,
    dedupe: "while-pending",
    // A failure is recorded in the branch's history; the user asks again.
    attempts: 1,
  }),
  /**
   * Drop one branch onto another: merge `sourceBranchId` into `targetBranchId` and push it, for
   * `actorId` (the web checked their role and confirmation first). `mergeId` names the merge: its
   * scratch folder and the history events that record the outcome, which the web reads back.
   */
  "branch.merge": defineJob({
    queue: "control",
    payload: z.strictObject({
      mergeId: z.uuid(),
      sourceBranchId: z.uuid(),
      targetBranchId: z.uuid(),
      actorId: z.uuid(),
      /** The requester's address, for the audit entry. */
      ip: z.string().max(100).nullable(),
    }),
    dedupeKey: (p) => `branch.merge-${p.mergeId}`,
    dedupe: "lifetime",
    // A merge pushes: never repeated by itself; a failure is recorded and the user asks again.
    attempts: 1,
  }),
  /**
   * Posts a build's GitHub commit status (seed "GitHub commit statuses"): `pending` when it starts,
   * its verdict when it ends, on the built commit with the context of its stage. One job per
   * (build, verdict): queued twice, posted once. Retried with backoff (GitHub down, rate limits);
   * the last failure is recorded on the build page. It never changes the build's verdict.
   */
  "github.commit-status": defineJob({
    queue: "control",
    payload: z.strictObject({
      buildId: z.uuid(),
      verdict: z.enum(commitStatusVerdicts),
    }),
    dedupeKey: (p) => `github.commit-status-${p.buildId}-${p.verdict}`,
    dedupe: "lifetime",
    attempts: 5,
    backoff: { type: "exponential", delayMs: 1_000 },
  }),
  /**
   * Removes a branch the web marked as being deleted (Branch.deletingAt): its builds' containers,
   * databases, routes, work trees, logs and mails, then their rows. Idempotent: a crash resumes
   * (reconcile enqueues unfinished deletions again). Its backups stay, per retention.
   */
  "branch.delete": defineJob({
    queue: "control",
    payload: z.strictObject({ branchId: z.uuid() }),
    dedupeKey: (p) => `branch.delete-${p.branchId}`,
    dedupe: "while-pending",
    attempts: 5,
    backoff: { type: "exponential", delayMs: 10_000 },
  }),
  /**
   * Removes a project the web marked as being deleted (Project.deletingAt): everything of every
   * branch, its network and routes; its backups are kept for SLIPWAY_GC_DELETED_PROJECT_GRACE_DAYS.
   */
  "project.delete": defineJob({
    queue: "control",
    payload: z.strictObject({ projectId: z.uuid() }),
    dedupeKey: (p) => `project.delete-${p.projectId}`,
    dedupe: "while-pending",
    attempts: 5,
    backoff: { type: "exponential", delayMs: 10_000 },
  }),
  /**
   * A new GitHub project's deploy key and push webhook (seed "GitHub key and webhook"): added through
   * the project's GitHub client when its credentials allow, otherwise left for manual set-up.
   */
  "github.setup-project": defineJob({
    queue: "control",
    payload: z.strictObject({ projectId: z.uuid() }),
    dedupeKey: (p) => `github.setup-project-${p.projectId}`,
    dedupe: "while-pending",
    attempts: 3,
    backoff: { type: "exponential", delayMs: 5_000 },
  }),
  "backup.daily": defineJob({
    queue: "backups",
    payload: z.strictObject({ projectId: z.uuid() }),
    dedupeKey: (p) => `backup.daily-${p.projectId}`,
    dedupe: "while-pending",
    attempts: 3,
    backoff: { type: "exponential", delayMs: 60_000 },
  }),
  /** A backup of a pending Backup row (manual backups requested from the UI). */
  "backup.create": defineJob({
    queue: "backups",
    payload: z.strictObject({ backupId: z.uuid() }),
    dedupeKey: (p) => `backup.create-${p.backupId}`,
    dedupe: "lifetime",
    // A failed backup is recorded on its row; asking again is a new backup.
    attempts: 1,
  }),
  "backup.restore": defineJob({
    queue: "backups",
    payload: z.strictObject({ backupId: z.uuid(), targetBranchId: z.uuid() }),
    dedupeKey: (p) => `backup.restore-${p.targetBranchId}`,
    dedupe: "while-pending",
    // Never repeated by itself: a restore overwrites a branch; a failure rolls back.
    attempts: 1,
  }),
  /** Import of an uploaded file (name under <backup store>/uploads/), confirmed by the user. */
  "backup.import": defineJob({
    queue: "backups",
    payload: z.strictObject({
      branchId: z.uuid(),
      upload: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/),
      confirmOverwrite: z.literal(true),
    }),
    dedupeKey: (p) => `backup.import-${p.branchId}`,
    dedupe: "while-pending",
    attempts: 1,
  }),
  /**
   * Validation of an uploaded import (inspectImport) as soon as the upload is complete, so the user
   * sees the result before confirming; the verdict lands beside the upload (`<upload>.check.json`).
   * Reads the file only (no Docker, no database): on the control queue, not behind long backups.
   */
  "backup.inspect-upload": defineJob({
    queue: "control",
    payload: z.strictObject({
      branchId: z.uuid(),
      upload: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/),
    }),
    dedupeKey: (p) => `backup.inspect-upload-${p.upload}`,
    dedupe: "while-pending",
    attempts: 1,
  }),
  /**
   * Writes a backup's Odoo database-manager zip into the store (`exports/<backupId>.zip`): making
   * dump.sql needs pg_restore in a container, which only the worker runs; the web streams the file.
   */
  "backup.export": defineJob({
    queue: "backups",
    payload: z.strictObject({ backupId: z.uuid() }),
    dedupeKey: (p) => `backup.export-${p.backupId}`,
    dedupe: "while-pending",
    attempts: 1,
  }),
  /** Restore test of one backup into a throwaway database. */
  "backup.verify": defineJob({
    queue: "backups",
    payload: z.strictObject({ backupId: z.uuid() }),
    dedupeKey: (p) => `backup.verify-${p.backupId}`,
    dedupe: "while-pending",
    attempts: 2,
    backoff: { type: "exponential", delayMs: 60_000 },
  }),
  /** Scheduled: restore test of the latest backup of every project. */
  "backup.verify-latest": defineJob({
    queue: "backups",
    payload: none,
    dedupeKey: () => "backup.verify-latest",
    dedupe: "while-pending",
    attempts: 1,
  }),
  "backup.prune": defineJob({
    queue: "backups",
    payload: z.strictObject({ projectId: z.uuid() }),
    dedupeKey: (p) => `backup.prune-${p.projectId}`,
    dedupe: "while-pending",
    attempts: 3,
    backoff: { type: "exponential", delayMs: 60_000 },
  }),
  /**
   * Resolves a custom domain's CNAME (issue 16): verified when it points at `<project>.<base
   * domain>`; a change of verification refreshes its branch's routes. Queued when a domain is
   * added, on "Check now", and by `domain.check-all`.
   */
  "domain.check": defineJob({
    queue: "control",
    payload: z.strictObject({ domainId: z.uuid() }),
    dedupeKey: (p) => `domain.check-${p.domainId}`,
    dedupe: "while-pending",
    // The next check (periodic or "Check now") is the retry.
    attempts: 1,
  }),
  /** Scheduled every SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS: a `domain.check` of every live custom domain. */
  "domain.check-all": defineJob({
    queue: "control",
    payload: none,
    dedupeKey: () => "domain.check-all",
    dedupe: "while-pending",
    attempts: 1,
  }),
  "maintenance.gc": defineJob({
    queue: "maintenance",
    payload: none,
    dedupeKey: () => "maintenance.gc",
    dedupe: "while-pending",
    attempts: 1,
  }),
  "maintenance.reconcile": defineJob({
    queue: "maintenance",
    payload: none,
    dedupeKey: () => "maintenance.reconcile",
    dedupe: "while-pending",
    attempts: 3,
    backoff: { type: "exponential", delayMs: 5_000 },
  }),
};

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]["payload"]>;
export const jobNames = Object.keys(jobCatalog) as JobName[];

export function isJobName(value: string): value is JobName {
  return Object.hasOwn(jobCatalog, value);
}

/** Job names served by one queue. */
export function jobNamesOf(queue: QueueName): JobName[] {
  return jobNames.filter((name) => jobCatalog[name].queue === queue);
}
