#!/usr/bin/env node
// `npm run test:odoo-compat [-- <image>]`: every pipeline integration test (development, staging,
// production update and rollback, backups, restore and import, shell, mail catcher, connect,
// base URL, red builds, branch settings) against one Odoo image — the stand-in by default, or a
// real one (e.g. slipway/odoo-real:17.0 from scripts/build-odoo-real.mjs, or odoo:17.0 pulled on a
// machine with a registry). The platform code is the same for both; only SLIPWAY_TEST_ODOO_IMAGE
// changes. Prints the wall time. Provisions the services like `npm test`.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDependencies } from "./lib/dependencies.mjs";
import { provision } from "./lib/provision.mjs";
import { toolEnv } from "./lib/platform.mjs";
import { run, runInherit } from "./lib/proc.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
ensureDependencies(root);
const image = process.argv[2] ?? "slipway/odoo-standin:17.0";

export const COMPAT_FILES = [
  "apps/worker/src/odoo/driver/odoo-driver.int.test.ts",
  "apps/worker/src/odoo/driver/database-manager.int.test.ts",
  "apps/worker/src/builds/run-build.int.test.ts",
  "apps/worker/src/builds/red-builds.int.test.ts",
  "apps/worker/src/builds/verdicts.int.test.ts",
  "apps/worker/src/builds/branch-settings.int.test.ts",
  "apps/worker/src/builds/staging-pipeline.int.test.ts",
  "apps/worker/src/builds/production-pipeline.int.test.ts",
  "apps/worker/src/odoo/base-url.int.test.ts",
  "apps/worker/src/backups/backup-restore.int.test.ts",
  "apps/worker/src/backups/import-download.int.test.ts",
  "apps/worker/src/terminal/gateway.int.test.ts",
  "apps/worker/src/mail/mail-catcher.int.test.ts",
];

if ((await run("docker", ["image", "inspect", image])).code !== 0 && !image.startsWith("slipway/odoo-standin:")) {
  console.error(`The image ${image} is not on this machine. Build a real one with:`);
  console.error("  node scripts/build-odoo-real.mjs <odoo-17.0-source-folder>   (tags slipway/odoo-real:17.0)");
  process.exit(2);
}
const { env } = await provision({ root, want: ["docker", "postgres", "redis", "caddy", "images"] });
const started = Date.now();
const code = await runInherit("npx", ["vitest", "run", "--project", "int", ...COMPAT_FILES], {
  cwd: root,
  env: toolEnv({ ...env, SLIPWAY_TEST_ODOO_IMAGE: image }),
});
console.log(`odoo-compat on ${image}: ${code === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(code);
