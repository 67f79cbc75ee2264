// The types every pipeline (development, staging, production) shares: what a pipeline is given,
// its planned steps, and how it ends. A step either returns its detail (step-details.ts) or throws a
// StepFailure; a pipeline turns a thrown failure into its outcome in one place (`pipelineOutcome`).
import {
  DomainError,
  type BuildContext,
  type BuildState,
  type OffendingLine,
  type RunClassification,
  type StepName,
} from "@slipway/domain";
import type { WorkerDeps } from "../deps";
import type { BuildRecorder } from "./recorder";
import { StepFailure } from "./step-failure";

export interface PipelineInput {
  deps: WorkerDeps;
  /** The build, its branch and project, and its resource names: read once (loadBuildContext) before the pipeline runs. */
  context: BuildContext;
  recorder: BuildRecorder;
  /** Throws BuildStopped when the build was cancelled or the worker is shutting down. */
  checkpoint: () => Promise<void>;
  /**
   * Whether an earlier attempt of this build ran (a resume after a crash or restart), so it may
   * have left a half-made database, volume or container behind. Unknown counts as resumed.
   */
  resumed?: boolean;
}

/** One step of a pipeline's plan. */
export interface PlannedStep {
  name: StepName;
  /** The build state shown while the step runs. */
  state: BuildState;
  logFile?: string;
}

/** Why a pipeline failed, with the log lines to show on the build page. */
export interface PipelineFailure {
  reason: string;
  offending: (OffendingLine & { step: string })[];
}

export type PipelineOutcome = { ok: true; classification: RunClassification } | ({ ok: false } & PipelineFailure);

/**
 * Runs a pipeline's body: it ends green or yellow with the given classification, or red with the
 * StepFailure (or domain refusal) it threw. BuildStopped and programming errors go up.
 */
export async function pipelineOutcome(body: () => Promise<RunClassification>): Promise<PipelineOutcome> {
  try {
    return { ok: true, classification: await body() };
  } catch (e) {
    return { ok: false, ...failureOf(e) };
  }
}

/** A thrown step failure or domain refusal as a failure; anything else is thrown again. */
export function failureOf(e: unknown): PipelineFailure {
  if (e instanceof StepFailure) return { reason: e.reason, offending: e.offending };
  if (e instanceof DomainError) return { reason: e.message, offending: [] };
  throw e;
}
