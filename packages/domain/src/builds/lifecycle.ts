import type { PushBehavior } from "../stages/plan-stage-move";
import { buildStates, inProgressStates, type BuildState } from "./states";
import type { Stage } from "./steps";

// The build lifecycle as data. A build is created `queued` (webhook, poller, rebuild, follow-up);
// its pipeline moves it through the step states (any order: a resumed build starts again from its
// first step); it ends `running` (green/yellow), `failed` (red) or `cancelled`; a running build is
// later `stopped` (a newer build of its branch, a production update, a staging take-over, the
// garbage collector, or a restart that finds its server gone). `stopped`, `failed` and `cancelled`
// are final. The build repository writes every state change through `canTransition`.

/** The states a build's pipeline moves through between `queued` and its end. */
export const stepStates: readonly BuildState[] = inProgressStates.filter((s) => s !== "queued");

const ends: readonly BuildState[] = ["running", "failed", "cancelled"];

/** Allowed transitions: from each state, the states a build may move to. */
export const buildTransitions: Readonly<Record<BuildState, readonly BuildState[]>> = Object.fromEntries(
  buildStates.map((state): [BuildState, readonly BuildState[]] => {
    if (state === "running") return [state, ["stopped"]];
    if (inProgressStates.includes(state)) return [state, [...stepStates, ...ends]];
    return [state, []];
  }),
) as Record<BuildState, readonly BuildState[]>;

export function canTransition(from: BuildState, to: BuildState): boolean {
  return buildTransitions[from].includes(to);
}

/** The states a build may move to `to` from (what a conditional update must require). */
export function transitionSources(to: BuildState): BuildState[] {
  return buildStates.filter((from) => canTransition(from, to));
}

/**
 * What a new commit on a branch does, by its push behaviour and stage: whether a build is queued
 * for it (on push, and when a build ends with the branch head moved meanwhile), and whether that
 * build takes over the previous build's database instead of starting from a fresh copy ("update
 * previous build", which only staging builds honour).
 */
export interface NewCommitDecision {
  build: boolean;
  takeOverPrevious: boolean;
}

export function decideNewCommit(branch: { stage: Stage; pushBehavior: PushBehavior }): NewCommitDecision {
  if (branch.pushBehavior === "do_nothing") return { build: false, takeOverPrevious: false };
  return { build: true, takeOverPrevious: branch.pushBehavior === "update_previous" && branch.stage === "staging" };
}

/**
 * Whether the end of a build (any end) starts the branch's next build: "stage_moved" when the
 * branch was moved to staging or production while it ran (the build its new stage needs, of the
 * same head if need be — the move could not queue it while this one held the slot); "head_moved"
 * when pushes arrived meanwhile and the push behaviour builds them; otherwise "none".
 */
export type FollowUp = "stage_moved" | "head_moved" | "none";

export function decideFollowUp(
  branch: { stage: Stage; pushBehavior: PushBehavior; headRevision: string | null; archivedAt: Date | null },
  ended: { revision: string; stage: Stage },
): FollowUp {
  if (!branch.headRevision || branch.archivedAt) return "none";
  if (branch.stage !== ended.stage && branch.stage !== "development") return "stage_moved";
  if (branch.headRevision !== ended.revision && decideNewCommit(branch).build) return "head_moved";
  return "none";
}

/**
 * What a poll does with a branch head it read in the repository (`git ls-remote`), given what is
 * recorded of that branch: a new or moved head is recorded like a push (which builds it per
 * `decideNewCommit`); an unchanged head of a branch that was never built is built now (a branch
 * that existed before its project, or one an older poller recorded without building, must not
 * stay without a build); otherwise nothing.
 */
export type PolledHeadAction = "record_push" | "build_head" | "nothing";

export function decidePolledHead(
  recorded: { headRevision: string | null; archivedAt: Date | null; stage: Stage; pushBehavior: PushBehavior; built: boolean } | undefined,
  remoteHead: string,
): PolledHeadAction {
  if (!recorded || recorded.archivedAt || recorded.headRevision !== remoteHead) return "record_push";
  if (!recorded.built && decideNewCommit(recorded).build) return "build_head";
  return "nothing";
}

/**
 * Odoo HTTP workers a build's server runs with, per stage: production runs prefork (HTTP workers,
 * a cron worker, websocket on the gevent port); staging and development run threaded (0 workers).
 */
export function serverWorkers(stage: Stage): number {
  return stage === "production" ? 2 : 0;
}
