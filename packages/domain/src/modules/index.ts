export * from "./python-literal";
export * from "./manifest";
export * from "./module-name";
export * from "./module-version";
