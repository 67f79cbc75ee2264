export * from "./catalog";
export * from "./connection";
export * from "./enqueue";
export * from "./handlers";
export * from "./heartbeat";
export * from "./start-workers";
export * from "./live-events";
export * from "./build-run";
