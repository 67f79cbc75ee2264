export * from "./matrix";
export * from "./can";
