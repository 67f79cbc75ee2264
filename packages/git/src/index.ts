export * from "./run-git";
export * from "./repo-url";
export * from "./ls-remote";
export * from "./fetch-revision";
export * from "./merge-and-push";
export * from "./private-address";
export * from "./readable-tree";
export * from "./ssh-access";
