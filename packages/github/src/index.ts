export * from "./signature";
export * from "./push-event";
export * from "./client";
export * from "./accounts";
export * from "./keys-and-hooks";
export * from "./credentials";
