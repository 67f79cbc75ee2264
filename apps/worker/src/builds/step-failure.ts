import type { OffendingLine } from "@slipway/domain";

/** Why a step failed, with the log lines to show on the build page. */
export interface StepFailure {
  failed: true;
  reason: string;
  offending: (OffendingLine & { step: string })[];
}

/** Thrown at a checkpoint when the build must stop: cancelled by a user, or the worker shuts down. */
export class BuildStopped extends Error {
  constructor(readonly why: "cancelled" | "shutdown") {
    super(why === "cancelled" ? "the build was cancelled" : "the worker is shutting down");
  }
}
