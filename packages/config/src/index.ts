export * from "./config-error";
export * from "./load-config";
export * from "./secrets";
export * from "./file-modes";
export { repoRoot, defaultSlipwayHome } from "./paths";
export * from "./state-paths";
export * from "./tokens/connect-token";
export * from "./tokens/shell-ticket";
export type { LogLevel } from "./variables";
