#!/usr/bin/env node
// `npm test`: provisions the machine like `npm start`, then runs lint, the type check, unit tests,
// integration tests (real PostgreSQL, Redis, Docker, git) and the Playwright e2e tests in Debian's
// Chromium against the real web app and worker, then the production install end to end in Debian 12
// containers with systemd (scripts/test-install.mjs). Stops only what it started itself.
//   npm test -- --only unit,int     run some steps (lint, format, imports, workspace-deps, typecheck, unit, int, build, e2e, install)
//   SLIPWAY_E2E_SPECS="e2e/x.spec.ts" npm test -- --only build,e2e     some e2e specs only
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDependencies } from "./lib/dependencies.mjs";
import { provision, stopStarted } from "./lib/provision.mjs";
import { freshDatabase, migrate, startPlatform, stopPlatform, toolEnv } from "./lib/platform.mjs";
import { runInherit } from "./lib/proc.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// A fresh clone (or a changed package-lock.json): install the dependencies first (Node built-ins only so far).
ensureDependencies(root);
const onlyArg = process.argv.find((a) => a.startsWith("--only"));
const only = onlyArg ? (onlyArg.includes("=") ? onlyArg.split("=")[1] : process.argv[process.argv.indexOf(onlyArg) + 1]).split(",") : null;
const wanted = (step) => !only || only.includes(step);
const reports = path.join(root, ".slipway", "test-reports");

const results = [];
const counts = { passed: 0, failed: 0 };

function countVitest(file) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8"));
  counts.passed += r.numPassedTests ?? 0;
  counts.failed += r.numFailedTests ?? 0;
}

function countPlaywright(file) {
  if (!existsSync(file)) return;
  const s = JSON.parse(readFileSync(file, "utf8")).stats ?? {};
  counts.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  counts.failed += s.unexpected ?? 0;
}

/** The install test's report: assertions passed, 1 failed when it failed (none written when it was killed). */
function countInstall(file, ok) {
  if (!existsSync(file)) {
    if (!ok) counts.failed += 1;
    return;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  counts.passed += r.passed ?? 0;
  counts.failed += r.failed ?? 0;
}

/**
 * scripts/test-install.mjs in its own process group, within a time limit: it cleans up after itself
 * (also on SIGTERM and at its own limit); past the limit it is killed, and its run's containers,
 * volumes and folder are removed here.
 */
async function installTest(env, report) {
  const run = `t${process.pid}`;
  const limitS = 2700;
  const child = spawn("node", ["scripts/test-install.mjs", "--run", run, "--report", report, "--timeout", String(limitS)], {
    cwd: root,
    env: toolEnv(env),
    stdio: "inherit",
    detached: true,
  });
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* gone */
    }
  };
  const term = setTimeout(
    () => {
      console.error(`install: over ${limitS + 120} s, stopping it`);
      kill("SIGTERM");
    },
    (limitS + 120) * 1000,
  );
  const hard = setTimeout(() => kill("SIGKILL"), (limitS + 240) * 1000);
  const stop = () => kill("SIGTERM");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const code = await new Promise((resolve) => child.on("exit", (c, sig) => resolve(c ?? (sig ? 128 : 1))));
  clearTimeout(term);
  clearTimeout(hard);
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await sh("node", ["scripts/test-install.mjs", "--cleanup", run], env);
  return code === 0;
}

async function step(name, fn) {
  if (!wanted(name)) return true;
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  let ok = false;
  try {
    ok = await fn();
  } catch (e) {
    console.error(`${name}: ${e.stack ?? e.message}`);
  }
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  return ok;
}

const sh = (cmd, args, env, cwd = root) => runInherit(cmd, args, { cwd, env: toolEnv(env) }).then((c) => c === 0);

let started = [];
let env = {};
const t0 = Date.now();
try {
  const needsServices = ["int", "e2e", "install"].some(wanted);
  if (needsServices) {
    ({ env, started } = await provision({
      root,
      want: [
        "docker",
        ...(["int", "e2e"].some(wanted) ? ["postgres", "redis", "caddy"] : []),
        "images",
        ...(["e2e", "install"].some(wanted) ? ["chromium"] : []),
      ],
    }));
    results.push({ name: "provision", ok: true, seconds: (Date.now() - t0) / 1000 });
  }
  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });

  await step("lint", () => sh("npx", ["eslint", ".", "--max-warnings=0"], env));
  await step("format", () => sh("npx", ["prettier", "--check", "**/*.{ts,tsx,mjs,js,cjs}"], env));
  // The import graph: layers point down, no cycle (.dependency-cruiser.mjs).
  await step("imports", () => sh("npm", ["run", "--silent", "check:imports"], env));
  // Every workspace declares what it imports and imports what it declares.
  await step("workspace-deps", () => sh("node", ["scripts/check-workspace-deps.mjs"], env));
  await step(
    "typecheck",
    async () =>
      (await sh("npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"], env)) &&
      (await sh("npx", ["tsc", "-p", "e2e/tsconfig.json"], env)) &&
      sh("npx", ["tsc", "-p", "bench/tsconfig.json"], env),
  );
  await step("unit", async () => {
    const file = path.join(reports, "unit.json");
    const ok = await sh(
      "npx",
      ["vitest", "run", "--project", "unit", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
      env,
    );
    countVitest(file);
    return ok;
  });
  await step("int", async () => {
    await migrate({ root, env });
    const file = path.join(reports, "int.json");
    const ok = await sh(
      "npx",
      ["vitest", "run", "--project", "int", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
      env,
    );
    countVitest(file);
    return ok;
  });
  const built = await step("build", () => sh("npx", ["turbo", "run", "build", "--output-logs=errors-only"], env));
  if (wanted("e2e") && built) {
    await step("e2e", async () => {
      // A fresh database per run, with a known admin password the specs log in with.
      const databaseUrl = await freshDatabase(env.DATABASE_URL, "slipway_e2e");
      const e2eEnv = {
        ...env,
        DATABASE_URL: databaseUrl,
        SLIPWAY_ADMIN_PASSWORD: randomBytes(12).toString("hex"),
        SLIPWAY_WEB_PORT: "3100",
        // The worker's terminal gateway (web shells), apart from a dev platform's 3001.
        SLIPWAY_TERMINAL_PORT: "3101",
        // The worker's SSH server, apart from a dev platform's 2222.
        SLIPWAY_SSH_PORT: "3102",
        SLIPWAY_PUBLIC_URL: "http://127.0.0.1:3100",
        // GitHub login against the fake GitHub e2e/roles.spec.ts starts (e2e/support/github-double E2E_GITHUB).
        SLIPWAY_GITHUB_CLIENT_ID: "slipway-e2e-client",
        SLIPWAY_GITHUB_CLIENT_SECRET: "slipway-e2e-secret",
        SLIPWAY_GITHUB_OAUTH_URL: "http://127.0.0.1:3199",
        SLIPWAY_GITHUB_API_URL: "http://127.0.0.1:3199",
        // Offline: projects created in the e2e specs run the stand-in image (the same contract).
        SLIPWAY_DEFAULT_ODOO_IMAGE: "slipway/odoo-standin:{version}",
        // The specs create projects on bare repositories in temporary folders: the allowed root.
        SLIPWAY_LOCAL_REPOS_ROOT: tmpdir(),
      };
      await migrate({ root, env: e2eEnv });
      const platform = await startPlatform({ root, env: e2eEnv, host: "127.0.0.1", port: 3100 });
      try {
        const file = path.join(reports, "e2e.json");
        // SLIPWAY_E2E_SPECS="e2e/a.spec.ts e2e/b.spec.ts": only those specs (by hand; CI runs them all).
        const specs = (process.env.SLIPWAY_E2E_SPECS ?? "").split(/[\s,]+/).filter(Boolean);
        const ok = await sh("npx", ["playwright", "test", "--reporter=list,json", ...specs], {
          ...e2eEnv,
          E2E_BASE_URL: platform.url,
          PLAYWRIGHT_JSON_OUTPUT_NAME: file,
        });
        countPlaywright(file);
        return ok;
      } finally {
        await stopPlatform(platform.procs);
      }
    });
  }
  // The production install (infra/install.sh, upgrade.sh, restore.sh) on fresh Debian 12 containers
  // with systemd as PID 1: apt and npm from inside them, next build, Odoo builds (~6-15 min).
  await step("install", async () => {
    const file = path.join(reports, "install.json");
    const ok = await installTest(env, file);
    countInstall(file, ok);
    return ok;
  });
} catch (e) {
  console.error(`npm test: ${e.message}`);
  results.push({ name: "setup", ok: false, seconds: 0 });
} finally {
  await stopStarted(started);
}

console.log("\n=== summary ===");
for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"}  ${r.name.padEnd(10)} ${r.seconds.toFixed(1)} s`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
