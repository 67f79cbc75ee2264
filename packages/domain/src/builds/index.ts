export * from "./states";
export * from "./steps";
export * from "./lifecycle";
export * from "./start-build";
export * from "./build-context";
export * from "./branch-settings";
export * from "./commit-status";
