export * from "./client";
// Model types, enums and the Prisma namespace (errors, input types) of the generated client.
export * from "./generated/prisma/client";
export * from "./repositories/users";
export * from "./repositories/sessions";
