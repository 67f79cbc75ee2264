import type { OffendingLine, RunClassification } from "@slipway/domain";

/**
 * Thrown by a step (or a pipeline between steps) that fails: the build ends red with this reason
 * and the log lines to show on the build page. The one failure style of the pipelines.
 */
export class StepFailure extends Error {
  constructor(
    readonly reason: string,
    readonly offending: (OffendingLine & { step: string })[] = [],
  ) {
    super(reason);
    this.name = "StepFailure";
  }

  /** A red Odoo run of a step: its reasons and offending lines. */
  static fromRun(step: string, c: RunClassification): StepFailure {
    return new StepFailure(
      c.reasons.join("; ") || `${step} failed`,
      c.offending.map((o) => ({ ...o, step })),
    );
  }
}

/** Thrown at a checkpoint when the build must stop: cancelled by a user, or the worker shuts down. */
export class BuildStopped extends Error {
  constructor(readonly why: "cancelled" | "shutdown") {
    super(why === "cancelled" ? "the build was cancelled" : "the worker is shutting down");
  }
}
