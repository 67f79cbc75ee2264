export * from "./calendar";
export * from "./select-backups-to-keep";
export * from "./backup-rules";
export * from "./backup-transfers";
export * from "./backup-expiry";
