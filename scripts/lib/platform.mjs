// Starting and stopping the platform's own processes (web and worker) for `npm start` and the e2e run.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { httpGet, must, tcpOpen, waitFor } from "./proc.mjs";

export function toolEnv(extra = {}) {
  return { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", ...extra };
}

/** Applies the Prisma migrations (offline through the schema-engine shim; see docs/decisions). */
export async function migrate({ root, env }) {
  await must("npx", ["prisma", "migrate", "deploy"], { cwd: root, env: toolEnv(env) });
}

/** (Re)creates an empty database next to the one in baseUrl and returns its URL. */
export async function freshDatabase(baseUrl, name) {
  const { default: pg } = await import("pg");
  const admin = new URL(baseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function prefixed(child, label) {
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const l of lines) process.stdout.write(`[${label}] ${l}\n`);
    });
  }
}

/** Starts web (next start) and worker (tsx) with env; resolves once /api/health answers 200. */
export async function startPlatform({ root, env, host, port, quiet = false }) {
  // Never mistake another server on the port for ours.
  if (await tcpOpen(host, port)) throw new Error(`${host}:${port} is already in use; stop what listens there or set SLIPWAY_WEB_PORT`);
  const procs = [];
  const common = { env: toolEnv(env), stdio: ["ignore", "pipe", "pipe"] };
  // node directly (not npx, which does not pass SIGTERM on): Ctrl-C must stop both for real.
  const nextBin = createRequire(path.join(root, "apps/web/package.json")).resolve("next/dist/bin/next");
  const web = spawn(process.execPath, [nextBin, "start", "-H", host, "-p", String(port)], { ...common, cwd: path.join(root, "apps/web") });
  const worker = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { ...common, cwd: path.join(root, "apps/worker") });
  for (const [c, label] of [
    [web, "web"],
    [worker, "worker"],
  ]) {
    if (quiet) {
      c.stdout.resume();
      c.stderr.resume();
    } else prefixed(c, label);
    procs.push({ name: label, child: c });
    c.on("exit", (code, signal) => {
      if (!c.stopping) console.error(`[${label}] exited unexpectedly (code ${code}, signal ${signal})`);
    });
  }
  const url = `http://${host}:${port}`;
  await waitFor(
    `the web app at ${url}/api/health`,
    async () => {
      for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited with code ${p.child.exitCode}`);
      return (await httpGet(`${url}/api/health`, { timeoutMs: 5000 }))?.status === 200;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  ).catch(async (e) => {
    await stopPlatform(procs);
    throw e;
  });
  return { url, procs };
}

export async function stopPlatform(procs) {
  await Promise.all(
    procs.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.stopping = true;
          child.on("exit", resolve);
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 20_000).unref();
        }),
    ),
  );
}
