export * from "./client";
// Model types, enums and the Prisma namespace (errors, input types) of the generated client.
export * from "./generated/prisma/client";
export * from "./repositories/users";
export * from "./repositories/sessions";
export * from "./repositories/errors";
export * from "./repositories/projects";
export * from "./repositories/branches";
export * from "./repositories/builds";
export * from "./repositories/pushes";
export * from "./repositories/project-views";
export * from "./repositories/audit";
export * from "./repositories/collaborators";
export * from "./repositories/backup-views";
