// The one PostgreSQL administration module of the worker (ADR 0005): the managed server, its access
// model (roles, grants, pg_hba), databases, and the tools containers.
export * from "./server";
export * from "./roles";
export * from "./databases";
export * from "./tools";
export { ident, literal } from "./sql";
export * from "./clones";
