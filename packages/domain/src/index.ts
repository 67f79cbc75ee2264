export * from "./errors";
export * from "./logs";
