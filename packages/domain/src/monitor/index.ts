export * from "./request-log";
export * from "./metric-series";
