export * from "./python-literal";
export * from "./manifest";
export * from "./module-name";
export * from "./module-version";
export * from "./module-checksum";
export * from "./fnmatch";
export * from "./sha1";
