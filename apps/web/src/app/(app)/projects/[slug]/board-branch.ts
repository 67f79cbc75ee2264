import type { BuildResult, BuildState, Stage } from "@slipway/domain";

/** One branch as the Branches board and its cards show it (its own module: the board renders the cards). */
export interface BoardBranch {
  name: string;
  stage: Stage;
  pinned: boolean;
  lastBuild: { number: number; state: BuildState; result: BuildResult | null } | null;
}
