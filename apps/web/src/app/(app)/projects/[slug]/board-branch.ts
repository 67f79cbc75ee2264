import type { BuildResult, BuildState, Stage } from "@slipway/domain";

/** One branch as the Branches board and its cards show it (its own module: the board renders the cards). */
export interface BoardBranch {
  id: string;
  name: string;
  stage: Stage;
  pinned: boolean;
  /** The last build of the branch's current stage (an older stage's builds are not this card's). */
  lastBuild: { number: number; state: BuildState; result: BuildResult | null } | null;
}
