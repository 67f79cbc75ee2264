import { DomainError } from "../errors";
import type { BranchInStage } from "./plan-stage-move";

export interface MergePlan {
  kind: "merge";
  /** Branch whose commits are merged. */
  from: string;
  /** Branch that receives the merge commit and is pushed. */
  into: string;
  /**
   * A caution to show before confirming, when the seed warns about the merge: merging a
   * development branch straight into production skips validation against production data.
   */
  warning?: string;
}

/**
 * Plans dropping branch `source` ONTO branch `target` in the Branches view: that always means
 * "merge source into target, then push target" (docs/product/stages-and-branches.md, Odoo.sh's branches page "Merging branches").
 * Every stage pair is allowed — development into staging / production / development, staging
 * into production / staging, and production onto staging or development (how production code is
 * brought into a staging branch, since production cannot be moved under Staging). Dropping a
 * branch onto itself is refused.
 */
export function planDrop({ source, target }: { source: BranchInStage; target: BranchInStage }): MergePlan {
  if (source.name === target.name) {
    throw new DomainError(
      "invalid_input",
      `Drop "${source.name}" onto another branch to merge it; a branch cannot be merged into itself.`,
      {
        details: { branch: source.name },
      },
    );
  }
  const plan: MergePlan = { kind: "merge", from: source.name, into: target.name };
  if (source.stage === "development" && target.stage === "production") {
    plan.warning =
      `"${source.name}" has not been validated against production data in a staging branch; ` +
      "merging it straight into production carries a higher risk.";
  }
  return plan;
}
