export * from "./shell-ticket";
export * from "./terminal-protocol";
