import type { BuildState } from "./states";

export type Stage = "production" | "staging" | "development";
export type InstallMode = "own_modules" | "full" | "list";

/** The steps of a development build. */
export type DevelopmentStepName = "fetch" | "discover" | "dependencies" | "create_database" | "install" | "start" | "route";
/** Every step a pipeline may record: staging adds copy and neutralization, production its plan and safe update. */
export type StepName = DevelopmentStepName | "plan" | "copy" | "neutralize" | "backup" | "maintenance" | "snapshot" | "update";

export interface StepPlan {
  name: StepName;
  /** The build state shown while the step runs. */
  state: BuildState;
  /** Log file the step writes, if any. */
  logFile?: string;
}

/**
 * The steps of a development build, in order. Tests run inside the install step (Odoo runs
 * at_install tests while installing with --test-enable), which is then shown as "Testing".
 */
export function developmentSteps({ installMode, testsEnabled }: { installMode: InstallMode; testsEnabled: boolean }): StepPlan[] {
  const testing = testsEnabled && installMode !== "full";
  return [
    { name: "fetch", state: "fetching" },
    { name: "discover", state: "fetching" },
    { name: "dependencies", state: "installing_dependencies", logFile: "pip.log" },
    { name: "create_database", state: "creating_database", logFile: "install.log" },
    { name: "install", state: testing ? "testing" : "installing_modules", logFile: "install.log" },
    { name: "start", state: "starting", logFile: "odoo.log" },
    { name: "route", state: "starting" },
  ];
}

/** Whether the tests run for a branch setting ("full installation" never runs tests). */
export function runsTests({ installMode, testsEnabled }: { installMode: InstallMode; testsEnabled: boolean }): boolean {
  return testsEnabled && installMode !== "full";
}
