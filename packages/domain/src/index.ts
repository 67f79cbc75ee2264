export * from "./errors";
export * from "./logs";
export * from "./modules";
export * from "./builds";
export * from "./naming";
export * from "./stages";
export * from "./access";
export * from "./backups";
