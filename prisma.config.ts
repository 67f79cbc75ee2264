import path from "node:path";
import { defineConfig } from "prisma/config";

// binaries.prisma.sh is unreachable here, and Prisma 7 resolves its native schema engine on every
// command. Unless the caller points PRISMA_SCHEMA_ENGINE_BINARY at a real engine, use our shim: it
// speaks the engine's stdio JSON-RPC and runs the WebAssembly build of the same engine version.
// See docs/decisions/0001-prisma-offline-migrations.md.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "scripts", "prisma-schema-engine-shim.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // process.env rather than env(): `prisma generate` must work where DATABASE_URL is unset
  // (fresh-clone postinstall, CI build).
  datasource: { url: process.env.DATABASE_URL },
});
