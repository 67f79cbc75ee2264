export * from "./project-slug";
export * from "./branch-label";
export * from "./build-names";
export * from "./build-url";
