// Test support for the platform fault tests (issue 12 item 7): private Redis and PostgreSQL
// servers a test may flush, stop and restart without disturbing anyone else's tests, a real worker
// process pointed at them, the "wrong route" check, and the fault table rows the runner prints.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inProgressStates } from "@slipway/domain";
import type { Db } from "@slipway/db";
import type { WorkerDeps } from "../../deps";
import { routeIdForBuild, routeUpstreams, odooUpstreams } from "../../proxy/caddy";
import { buildServerAddress } from "../../proxy/route-keeper";
import { PRODUCTION_WORKERS } from "../../builds/production-pipeline";

const exec = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const tcpOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

/** A redis-server of the test's own on a free port (no persistence): flushed and restarted at will. */
export interface PrivateRedis {
  url: string;
  /** FLUSHALL, then SHUTDOWN NOSAVE: everything in it is gone. */
  flushAndStop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-fault-redis-"));
  let child: ChildProcess | null = null;
  const cli = (...args: string[]) => exec("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args]);
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
      stdio: "ignore",
    });
    await until("the private Redis", async () => (await cli("ping")).stdout.trim() === "PONG");
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    await cli("shutdown", "nosave").catch(() => c.kill("SIGKILL"));
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async flushAndStop() {
      await cli("flushall");
      await stop();
    },
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgBin(): string {
  const base = "/usr/lib/postgresql";
  const v = readdirSync(base)
    .filter((d) => existsSync(`${base}/${d}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql");
  return `${base}/${v}/bin`;
}

/** A PostgreSQL cluster of the test's own (initdb + pg_ctl as `postgres`) on a free port. */
export interface PrivatePostgres {
  /** The `slipway` database of the cluster (createTemporaryDatabase makes migrated copies from it). */
  adminUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin();
  const port = await freePort();
  const root = mkdtempSync(path.join(tmpdir(), "slipway-fault-pg-"));
  chmodSync(root, 0o755);
  await exec("chown", ["postgres:postgres", root]);
  const data = path.join(root, "data");
  const as = (prog: string, args: string[]) => exec("runuser", ["-u", "postgres", "--", `${bin}/${prog}`, ...args]);
  await as("initdb", ["-D", data, "-U", "slipway", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const conf = path.join(data, "postgresql.conf");
  writeFileSync(
    conf,
    readFileSync(conf, "utf8") +
      `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${root}'\nmax_connections = 100\n`,
  );
  const start = async () => {
    await as("pg_ctl", ["-D", data, "-l", path.join(root, "postgres.log"), "-w", "-t", "60", "start"]);
  };
  const stop = async () => {
    await as("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined);
  };
  await start();
  await as("createdb", ["-h", root, "-p", String(port), "-U", "slipway", "slipway"]);
  return {
    adminUrl: `postgresql://slipway@127.0.0.1:${port}/slipway`,
    stop,
    async start() {
      await start();
      await until("the private PostgreSQL", () => tcpOpen(port));
    },
    async close() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const mainTs = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** A real worker process (main.ts) with `env`; `stop` sends SIGTERM and waits for its exit. */
export function startWorkerProcess(env: NodeJS.ProcessEnv): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", mainTs], { env, stdio: ["ignore", "ignore", "pipe"] });
  let tail = "";
  child.stderr?.on("data", (c: Buffer) => (tail = (tail + c.toString()).slice(-20_000)));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await exited;
      clearTimeout(killed);
      if (env.SLIPWAY_FAULT_DEBUG) console.log(tail);
    },
  };
}

/** Builds of `projectId` still in progress (queued included). */
export function stuckBuilds(prisma: Db, projectId: string): Promise<number> {
  return prisma.build.count({ where: { projectId, state: { in: [...inProgressStates] } } });
}

/**
 * Routes of the project's builds that point anywhere but at their own build's running server (a
 * route of a build with no running server must answer 502, i.e. have no upstream; a route of a
 * build that is not running must not exist).
 */
export async function wrongRoutes(deps: WorkerDeps, projectId: string): Promise<string[]> {
  const wrong: string[] = [];
  const routes = new Map((await deps.caddy.routes()).map((r) => [String(r["@id"] ?? ""), r]));
  const builds = await deps.prisma.build.findMany({ where: { projectId }, select: { id: true, state: true, stage: true, project: true } });
  for (const b of builds) {
    const route = routes.get(routeIdForBuild(b.id));
    if (!route) continue;
    const upstream = routeUpstreams(route);
    if (b.state !== "running" && !(inProgressStates as readonly string[]).includes(b.state)) {
      wrong.push(`${b.id}: route of a ${b.state} build`);
      continue;
    }
    if (!upstream) continue;
    const ip = await buildServerAddress(deps, { id: b.id, projectId, projectSlug: b.project.slug });
    const expected = ip ? odooUpstreams(ip, b.stage === "production" ? PRODUCTION_WORKERS : 0).upstream : null;
    if (upstream.upstream !== expected) wrong.push(`${b.id}: routed to ${upstream.upstream}, its server is at ${expected ?? "nowhere"}`);
  }
  return wrong;
}

/** One row of the fault table; appended to `env.SLIPWAY_FAULT_TABLE` (JSON lines) for bench/faults.ts. */
export interface FaultRow {
  fault: string;
  times: number;
  productionIntact: boolean | null;
  stuckBuilds: number;
  wrongRoutes: number;
  recoveryMs: number;
  outcome: string;
}

export function recordFaultRow(row: FaultRow, env: NodeJS.ProcessEnv): void {
  const file = env.SLIPWAY_FAULT_TABLE;
  console.log(`fault: ${JSON.stringify(row)}`);
  if (file) appendFileSync(file, JSON.stringify(row) + "\n");
}
