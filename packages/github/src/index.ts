export * from "./signature";
export * from "./push-event";
