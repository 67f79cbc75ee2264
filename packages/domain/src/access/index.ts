export * from "./matrix";
export * from "./can";
export * from "./branch-changes";
export * from "./collaborators";
export * from "./platform-users";
