// sql.ts (quoting, guards, validators) stays internal: generic names, kept out of the package root.
export * from "./statements";
export * from "./checks";
