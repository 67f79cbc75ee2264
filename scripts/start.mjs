#!/usr/bin/env node
// `npm start`: installs and starts what is missing (Docker engine, PostgreSQL, Redis, Caddy, local
// images), applies migrations, builds and starts the web app and the worker, and prints the URL and
// how to log in. Idempotent; Ctrl-C stops what this run started, and nothing else.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDependencies } from "./lib/dependencies.mjs";
import { provision, stopStarted, PORTS } from "./lib/provision.mjs";
import { migrate, startPlatform, stopPlatform, toolEnv } from "./lib/platform.mjs";
import { run, runInherit } from "./lib/proc.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// A fresh clone (or a changed package-lock.json): install the dependencies first (Node built-ins only so far).
ensureDependencies(root);
const host = process.env.SLIPWAY_WEB_HOST || "127.0.0.1";
const port = Number(process.env.SLIPWAY_WEB_PORT || PORTS.web);

let started = [];
let platform = null;
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nSlipway: stopping…");
  if (platform) await stopPlatform(platform.procs);
  await stopStarted(started);
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  let env;
  ({ env, started } = await provision({ root, want: ["docker", "postgres", "redis", "caddy", "images"] }));
  env = {
    SLIPWAY_WEB_HOST: host,
    SLIPWAY_WEB_PORT: String(port),
    SLIPWAY_PUBLIC_URL: process.env.SLIPWAY_PUBLIC_URL || `http://${host}:${port}`,
    ...env,
  };
  // Working defaults offline: without the official image (no registry here), new projects default
  // to the local stand-in image, which honours the same contract. Configurable per project.
  if (!process.env.SLIPWAY_DEFAULT_ODOO_IMAGE && (await run("docker", ["image", "inspect", "odoo:17.0"])).code !== 0) {
    env.SLIPWAY_DEFAULT_ODOO_IMAGE = "slipway/odoo-standin:{version}";
    console.log("[start] no official odoo image on this machine: new projects default to slipway/odoo-standin:<version>");
  }
  // Working default for trying Slipway with local bare repositories: they may live under
  // .slipway/repos (and only there; SLIPWAY_LOCAL_REPOS_ROOT overrides it).
  if (!process.env.SLIPWAY_LOCAL_REPOS_ROOT) {
    env.SLIPWAY_LOCAL_REPOS_ROOT = path.join(env.SLIPWAY_HOME, "repos");
    mkdirSync(env.SLIPWAY_LOCAL_REPOS_ROOT, { recursive: true, mode: 0o700 });
  }
  console.log("[start] applying migrations");
  await migrate({ root, env });
  console.log("[start] building the web app (cached when nothing changed)");
  const built = await runInherit("npx", ["turbo", "run", "build", "--filter=@slipway/web", "--output-logs=errors-only"], {
    cwd: root,
    env: toolEnv(env),
  });
  if (built !== 0) throw new Error("the web app did not build");
  platform = await startPlatform({ root, env, host, port });
  const login = process.env.SLIPWAY_ADMIN_LOGIN || "admin";
  console.log(
    [
      "",
      "  Slipway is running.",
      `  Control panel:  ${platform.url}`,
      `  Log in as:      ${login}`,
      process.env.SLIPWAY_ADMIN_PASSWORD
        ? "  Password:       the value of SLIPWAY_ADMIN_PASSWORD"
        : "  Password:       printed above by the web app on its first start (kept in .slipway/initial-admin-password)",
      `  Local repos:    ${env.SLIPWAY_LOCAL_REPOS_ROOT ?? process.env.SLIPWAY_LOCAL_REPOS_ROOT} (local-path repositories must live there)`,
      `  Build URLs:     http://<project>--<branch>-<build>.${process.env.SLIPWAY_BASE_DOMAIN || "slipway.localhost"}:${PORTS.proxy}`,
      `  Web shells:     ws://${host}:${process.env.SLIPWAY_TERMINAL_PORT || 3001}/terminal (the worker's terminal gateway; SLIPWAY_TERMINAL_PORT)`,
      `  SSH to builds:  ssh <build id>@${host} -p ${process.env.SLIPWAY_SSH_PORT || 2222} (keys on your profile; the command is on each build's Shell tab)`,
      "  Stop:           Ctrl-C",
      "",
    ].join("\n"),
  );
} catch (e) {
  console.error(`npm start: ${e.message}`);
  await shutdown(1);
}
