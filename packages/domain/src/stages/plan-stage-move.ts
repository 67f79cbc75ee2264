import type { Stage } from "../builds/steps";
import { DomainError } from "../errors";

export type PushBehavior = "new_build" | "update_previous" | "do_nothing";

export interface BranchInStage {
  name: string;
  stage: Stage;
}

export interface StageMovePlan {
  kind: "move";
  branch: string;
  from: Stage;
  to: Stage;
  /** Set when the move also changes the branch's push behaviour (staging → development). */
  pushBehavior?: PushBehavior;
}

const stageLabels: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };

/**
 * Plans moving a branch under another stage (drag and drop in the Branches view), per docs/product/stages-and-branches.md
 * and the seed (odoo_sh/getting_started/branches.md "Stages"):
 * - development → staging: allowed;
 * - development → production: allowed only while the project has no production branch;
 * - staging → development: allowed, and the branch's push behaviour becomes "do nothing" so that
 *   the next push does not silently start a throwaway development build;
 * - staging → production: refused (merge into production instead);
 * - production → development: allowed (the project then has no production branch);
 * - production → staging: refused (only a merge is possible, see planDrop);
 * - same stage: refused as a no-op.
 * Refusals are DomainErrors whose message can be shown to the user as is.
 */
export function planStageMove({
  branch,
  target,
  productionBranch,
}: {
  branch: BranchInStage;
  target: Stage;
  /** Name of the project's current production branch, or null when it has none. */
  productionBranch: string | null;
}): StageMovePlan {
  const from = branch.stage;
  const details = { branch: branch.name, from, to: target };
  if (from === target) {
    throw new DomainError("invalid_input", `Branch "${branch.name}" is already in ${stageLabels[target]}.`, { details });
  }
  switch (`${from}->${target}`) {
    case "development->staging":
      return { kind: "move", branch: branch.name, from, to: target };
    case "development->production":
      if (productionBranch !== null && productionBranch !== branch.name) {
        throw new DomainError(
          "conflict",
          `A project has exactly one production branch, and "${productionBranch}" already is. ` +
            `To deploy "${branch.name}", merge it into "${productionBranch}" (drop it onto that branch), ` +
            `or first move "${productionBranch}" to Development.`,
          { details: { ...details, productionBranch } },
        );
      }
      return { kind: "move", branch: branch.name, from, to: target };
    case "staging->development":
      return { kind: "move", branch: branch.name, from, to: target, pushBehavior: "do_nothing" };
    case "staging->production":
      throw new DomainError(
        "invalid_input",
        `A staging branch cannot become the production branch. To deploy "${branch.name}", merge it into ` +
          (productionBranch === null ? "the production branch" : `"${productionBranch}"`) +
          " by dropping it onto that branch.",
        { details: { ...details, productionBranch } },
      );
    case "production->development":
      return { kind: "move", branch: branch.name, from, to: target };
    case "production->staging":
      throw new DomainError(
        "invalid_input",
        `The production branch can only be moved to Development. To bring its code into a staging branch, ` +
          `drop "${branch.name}" onto that staging branch to merge it.`,
        { details },
      );
    default:
      throw new DomainError("invalid_input", `Unknown stage move from "${String(from)}" to "${String(target)}".`, { details });
  }
}

/**
 * Whether a stage move starts a build of the branch's head at once: a branch moved to staging or
 * production needs a build of its new stage (a staging build on a copy of the production
 * database, the production build); its development builds (demo data) are not that stage's. A
 * branch moved back to development keeps its builds until the next push or "Build now".
 */
export function stageMoveStartsBuild(plan: Pick<StageMovePlan, "to">): boolean {
  return plan.to === "staging" || plan.to === "production";
}
