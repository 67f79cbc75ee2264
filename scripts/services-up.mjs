#!/usr/bin/env node
// Starts (or reuses) the services the platform needs and leaves them running, then writes their
// connection settings to .slipway/env. Used by developers between test runs; `npm start` and
// `npm test` call the same provisioning.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { provision } from "./lib/provision.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const want = ["docker", "postgres", "redis", "caddy", "images"];
if (process.argv.includes("--with-chromium")) want.push("chromium");
if (process.argv.includes("--skip-images")) want.splice(want.indexOf("images"), 1);
try {
  const { env } = await provision({ root, want });
  console.log(`services ready; settings in ${path.join(env.SLIPWAY_HOME, "env")}`);
} catch (e) {
  console.error(`services-up failed: ${e.message}`);
  process.exit(1);
}
