import type { Db } from "../client";
import type { Prisma } from "../generated/prisma/client";

// The rows of a build's pipeline steps. A step's `detail` is JSON written by the worker's typed step
// layer (apps/worker/src/builds/step-details.ts), which knows each step's shape: here it is only
// stored and read back as `unknown`.

export type BuildStepState = "pending" | "running" | "succeeded" | "failed" | "skipped";

export interface BuildStepRecord {
  name: string;
  state: BuildStepState;
  /** What the step recorded when it succeeded; null otherwise. */
  detail: unknown;
}

/** A JSON-compatible detail as Prisma stores it (details are plain objects, arrays, strings, numbers, booleans). */
function json(detail: unknown): Prisma.InputJsonValue | undefined {
  return detail === undefined || detail === null ? undefined : (detail as Prisma.InputJsonValue);
}

export async function recordStepStarted(
  db: Db,
  step: { buildId: string; name: string; position: number; logFile?: string | null },
): Promise<void> {
  const logFile = step.logFile ?? null;
  await db.buildStep.upsert({
    where: { buildId_name: { buildId: step.buildId, name: step.name } },
    create: { buildId: step.buildId, name: step.name, position: step.position, state: "running", startedAt: new Date(), logFile },
    update: { state: "running", startedAt: new Date(), finishedAt: null, error: null, logFile },
  });
}

export async function recordStepFinished(
  db: Db,
  step: { buildId: string; name: string; ok: boolean; detail?: unknown; error?: string | null },
): Promise<void> {
  await db.buildStep.update({
    where: { buildId_name: { buildId: step.buildId, name: step.name } },
    data: { state: step.ok ? "succeeded" : "failed", finishedAt: new Date(), detail: json(step.detail), error: step.error ?? null },
  });
}

export async function recordStepSkipped(db: Db, step: { buildId: string; name: string; position: number; reason: string }): Promise<void> {
  await db.buildStep.upsert({
    where: { buildId_name: { buildId: step.buildId, name: step.name } },
    create: { buildId: step.buildId, name: step.name, position: step.position, state: "skipped", error: step.reason },
    update: { state: "skipped", error: step.reason },
  });
}

/** Succeeded steps of a build with what they recorded (a retry resumes them instead of repeating). */
export async function succeededStepDetails(db: Db, buildId: string): Promise<Map<string, unknown>> {
  const steps = await db.buildStep.findMany({ where: { buildId, state: "succeeded" }, select: { name: true, detail: true } });
  return new Map(steps.map((s) => [s.name, s.detail ?? null]));
}

/** One step's recorded detail (null when the step has no row or recorded nothing). */
export async function readStepDetail(db: Db, buildId: string, name: string): Promise<unknown> {
  const step = await db.buildStep.findUnique({ where: { buildId_name: { buildId, name } }, select: { detail: true } });
  return step?.detail ?? null;
}

/** Every step row of a build, by name. */
export async function readBuildSteps(db: Db, buildId: string): Promise<Map<string, BuildStepRecord>> {
  const steps = await db.buildStep.findMany({ where: { buildId }, select: { name: true, state: true, detail: true } });
  return new Map(steps.map((s) => [s.name, { name: s.name, state: s.state, detail: s.detail ?? null }]));
}
