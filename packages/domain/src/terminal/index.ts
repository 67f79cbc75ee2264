export * from "./terminal-protocol";
