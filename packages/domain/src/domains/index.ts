export * from "./custom-domain";
