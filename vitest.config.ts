import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Integration tests need the services `npm test` (or `npm run services:up`) started; their
// connection settings are written to .slipway/env. Values already in the environment win.
function servicesEnv(): Record<string, string> {
  const file = new URL("./.slipway/env", import.meta.url);
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && process.env[m[1]!] === undefined) env[m[1]!] = m[2]!;
  }
  return env;
}

// The web app's path aliases (apps/web/tsconfig.json: "@/*" is apps/web/src/*, "@test-support/*" its
// test support outside src).
const resolve = {
  alias: [
    { find: /^@\/(.*)$/, replacement: fileURLToPath(new URL("./apps/web/src/$1", import.meta.url)) },
    { find: /^@test-support\/(.*)$/, replacement: fileURLToPath(new URL("./apps/web/test-support/$1", import.meta.url)) },
  ],
};

const exclude = ["**/node_modules/**", "**/.next/**", "**/dist/**", "e2e/**"];

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "scripts/**/*.test.ts", "infra/**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts"],
        },
      },
      {
        resolve,
        test: {
          name: "int",
          include: ["packages/*/src/**/*.int.test.ts", "apps/*/src/**/*.int.test.ts", "prisma/**/*.int.test.ts"],
          exclude,
          // Test repositories live in temporary folders: the allowed root of local repositories.
          env: { SLIPWAY_LOCAL_REPOS_ROOT: process.env.SLIPWAY_LOCAL_REPOS_ROOT ?? tmpdir(), ...servicesEnv() },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Integration files share one Docker engine and PostgreSQL server on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
