// The resumable step mechanism of the development pipeline, shared by the staging and production
// pipelines: each step is recorded (BuildStep row with its `detail`), a retry after a crash reuses
// the detail of steps that completed, and a failure becomes a red build with its offending lines.
import type { Prisma } from "@slipway/db";
import { DomainError, type BuildState, type RunClassification } from "@slipway/domain";
import type { BuildRecorder } from "./recorder";
import { BuildStopped, type StepFailure } from "./step-failure";

export interface PlannedStep {
  name: string;
  /** The build state shown while the step runs. */
  state: BuildState;
  logFile?: string;
}

export type StepOutput<T> = { detail: T } | StepFailure;

export class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly failure: StepFailure,
  ) {
    super(`step ${step} failed: ${failure.reason}`);
  }
}

export interface StepRunner {
  /** Runs one step unless an earlier attempt completed it (`reuse`): its recorded detail is returned. */
  step<T extends Prisma.JsonValue>(name: string, run: () => Promise<StepOutput<T>>, reuse?: boolean): Promise<T>;
  skip(name: string, reason: string): Promise<void>;
  /** Forgets completed steps so they run again (a database that must be rebuilt, a restore). */
  forget(...names: string[]): void;
  done: Map<string, Prisma.JsonValue>;
  /** Classifications of every Odoo run (their combination is the build's colour). */
  classifications: RunClassification[];
  /** Fails the current pipeline with a reason (no step row: e.g. a refused plan). */
  fail(step: string, reason: string): never;
}

export async function createStepRunner(options: {
  recorder: BuildRecorder;
  checkpoint: () => Promise<void>;
  plan: readonly PlannedStep[];
}): Promise<StepRunner> {
  const { recorder, checkpoint, plan } = options;
  const done = await recorder.completedSteps();
  const classifications: RunClassification[] = [];
  const position = (name: string) => {
    const i = plan.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`step ${name} is not in the plan`);
    return i;
  };
  const collect = <T extends Prisma.JsonValue>(detail: T): T => {
    const c = (detail as { classification?: RunClassification } | null)?.classification;
    if (c) classifications.push(c);
    return detail;
  };
  return {
    done,
    classifications,
    forget: (...names) => names.forEach((n) => done.delete(n)),
    fail(step, reason) {
      throw new StepFailed(step, { failed: true, reason, offending: [] });
    },
    async skip(name, reason) {
      await recorder.stepSkipped(name, position(name), reason);
    },
    async step<T extends Prisma.JsonValue>(name: string, run: () => Promise<StepOutput<T>>, reuse = true): Promise<T> {
      await checkpoint();
      const previous = done.get(name);
      if (reuse && previous !== undefined) return collect(previous) as T;
      const planned = plan[position(name)]!;
      await recorder.setState(planned.state);
      await recorder.stepStarted(name, position(name), planned.logFile);
      let out: StepOutput<T>;
      try {
        out = await run();
      } catch (e) {
        if (e instanceof BuildStopped) throw e;
        out = { failed: true, reason: (e as Error).message, offending: [] };
      }
      if ("failed" in out) {
        await recorder.stepFinished(name, { ok: false, error: out.reason });
        throw new StepFailed(name, out);
      }
      await recorder.stepFinished(name, { ok: true, detail: out.detail as Prisma.InputJsonValue });
      done.set(name, out.detail);
      return collect(out.detail);
    },
  };
}

export function asJson(value: unknown): Prisma.JsonValue {
  return value as Prisma.JsonValue;
}

/** A red Odoo run as a step failure: its reasons and offending lines. */
export function failureFrom(step: string, c: RunClassification): StepFailure {
  return { failed: true, reason: c.reasons.join("; ") || `${step} failed`, offending: c.offending.map((o) => ({ ...o, step })) };
}

/** Turns what a pipeline threw into its outcome; BuildStopped and programming errors go up. */
export function outcomeOfError(e: unknown): StepFailure {
  if (e instanceof StepFailed) return e.failure;
  if (e instanceof DomainError) return { failed: true, reason: e.message, offending: [] };
  throw e;
}
