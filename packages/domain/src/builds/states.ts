import { DomainError } from "../errors";

export const buildStates = [
  "queued",
  "fetching",
  "installing_dependencies",
  "creating_database",
  "copying_production",
  "neutralizing",
  "installing_modules",
  "updating_modules",
  "testing",
  "starting",
  "running",
  "stopped",
  "failed",
  "cancelled",
] as const;
export type BuildState = (typeof buildStates)[number];
export type BuildResult = "green" | "yellow" | "red";

/** States of a build that holds its branch's single in-progress slot. */
export const inProgressStates: readonly BuildState[] = [
  "queued",
  "fetching",
  "installing_dependencies",
  "creating_database",
  "copying_production",
  "neutralizing",
  "installing_modules",
  "updating_modules",
  "testing",
  "starting",
];
export const finalStates: readonly BuildState[] = ["running", "stopped", "failed", "cancelled"];

export function isInProgress(state: BuildState): boolean {
  return inProgressStates.includes(state);
}

/** Human label of a state, as the UI shows it. */
export function stateLabel(state: BuildState): string {
  const labels: Record<BuildState, string> = {
    queued: "Queued",
    fetching: "Cloning",
    installing_dependencies: "Installing dependencies",
    creating_database: "Creating database",
    copying_production: "Copying production",
    neutralizing: "Neutralizing",
    installing_modules: "Installing modules",
    updating_modules: "Updating modules",
    testing: "Testing",
    starting: "Starting",
    running: "Running",
    stopped: "Stopped",
    failed: "Failed",
    cancelled: "Cancelled",
  };
  return labels[state];
}

/** Rebuild is refused while the branch has a build in progress (docs/product/builds-and-tests.md). */
export function assertCanRebuild(currentStates: readonly BuildState[]): void {
  if (currentStates.some(isInProgress)) {
    throw new DomainError("conflict", "A build of this branch is already in progress; wait for it or cancel it first.");
  }
}

/** Cancel makes sense only for a build in progress. */
export function assertCanCancel(state: BuildState): void {
  if (!isInProgress(state))
    throw new DomainError("invalid_state", `This build is ${stateLabel(state).toLowerCase()}; only a build in progress can be cancelled.`);
}
