export * from "./matrix";
export * from "./can";
export * from "./branch-changes";
