import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { classifyRun, type RunClassification } from "@slipway/domain";
import {
  BUILD_SECURITY,
  connectToNetwork,
  createAndStart,
  ensureVolume,
  followLogs,
  inspectContainer,
  removeContainer,
  stopContainer,
  waitForHttp,
  type LogFollower,
} from "@slipway/docker";
import { HTTP_PORT, serveArgs } from "./odoo-args";
import {
  ODOO_USER,
  contextAddonsPath,
  contextEnv,
  contextLimits,
  contextMounts,
  ensureContextConfig,
  type OdooContext,
} from "./odoo-context";
import { platformLine } from "./run-step";

export interface ServeOptions {
  ctx: OdooContext;
  containerName: string;
  /** 0 = threaded (default, fine for development); production uses prefork workers. */
  workers?: number;
  maxCronThreads?: number;
  /** The platform's mail catcher, reachable on the builds network. */
  smtp?: { host: string; port: number };
  healthTimeoutMs?: number;
  restart?: "no" | "unless-stopped";
  /** Platform addons loaded server-wide (`--load`), e.g. the connect addon. */
  serverWideModules?: readonly string[];
  /**
   * Networks with egress joined besides the (internal) builds network: production only — it sends
   * real mail and calls real APIs; other stages never get egress.
   */
  egressNetworks?: readonly string[];
  /**
   * What must be done before the server runs (its database's base URL pinned): the container is
   * made meanwhile, and started only after it; its failure fails the start.
   */
  startAfter?: Promise<unknown>;
}

export interface ServeResult {
  healthy: boolean;
  containerId: string | null;
  containerName: string;
  /** IP on the builds network: upstream for the proxy and target of the health check. */
  ip: string | null;
  httpUrl: string | null;
  durationMs: number;
  logFile: string;
  classification: RunClassification;
  /** Appends the server's output to odoo.log while the worker runs; stop() before exit. */
  logFollower: LogFollower | null;
}

/** Follows a server container's output into odoo.log (also used to re-attach after a worker restart). */
export async function followServerLog(options: {
  ctx: OdooContext;
  containerId: string;
  since?: number;
  onLine?: (line: string) => void;
}): Promise<LogFollower> {
  mkdirSync(options.ctx.logDir, { recursive: true });
  const out = createWriteStream(join(options.ctx.logDir, "odoo.log"), { flags: "a" });
  const follower = await followLogs({
    docker: options.ctx.docker,
    id: options.containerId,
    since: options.since,
    onLine: (l) => {
      out.write(`${l.line}\n`);
      options.onLine?.(l.line);
    },
  });
  void follower.done.then(() => out.end());
  return follower;
}

/**
 * Starts the long-running Odoo server of a build (labelled, on the builds network, limited) and
 * waits for `/web/health` to answer 200. Never healthy before the deadline (or the process died):
 * the container is stopped and removed and the result is red with a failed health check.
 */
export async function serve(options: ServeOptions): Promise<ServeResult> {
  const { ctx } = options;
  const started = Date.now();
  mkdirSync(ctx.logDir, { recursive: true });
  const logFile = join(ctx.logDir, "odoo.log");
  const limits = contextLimits(ctx);
  const args = serveArgs({
    database: ctx.database,
    addonsPath: contextAddonsPath(ctx),
    workers: options.workers ?? 0,
    maxCronThreads: options.maxCronThreads ?? 1,
    smtp: options.smtp,
    serverWideModules: options.serverWideModules,
  });
  platformLine(logFile, `${new Date().toISOString()} serve: ${args.join(" ")}`);
  const lines: string[] = [];
  const fail = (reason: string, containerId: string | null, follower: LogFollower | null): ServeResult => {
    platformLine(logFile, reason);
    const classification = classifyRun({
      kind: "serve",
      exitCode: null,
      output: lines.join("\n"),
      healthCheck: { ok: false, detail: reason },
    });
    return {
      healthy: false,
      containerId,
      containerName: options.containerName,
      ip: null,
      httpUrl: null,
      durationMs: Date.now() - started,
      logFile,
      classification,
      logFollower: follower,
    };
  };

  let containerId: string | null = null;
  let follower: LogFollower | null = null;
  try {
    await ensureVolume({ docker: ctx.docker, name: ctx.dataVolume, labels: { ...ctx.labels, role: "odoo-data", database: ctx.database } });
    await ensureContextConfig(ctx);
    const info = await createAndStart({
      startAfter: options.startAfter,
      docker: ctx.docker,
      spec: {
        name: options.containerName,
        image: ctx.image,
        labels: { ...ctx.labels, role: "odoo-server", database: ctx.database },
        cmd: args,
        env: contextEnv(ctx),
        mounts: contextMounts(ctx),
        network: ctx.network,
        limits: { cpus: limits.cpus, memoryBytes: limits.memoryBytes },
        // The official image's user (uid 101), whatever USER the project's image says.
        user: ODOO_USER,
        security: BUILD_SECURITY,
        restart: options.restart ?? "unless-stopped",
      },
    });
    containerId = info.id;
    for (const network of options.egressNetworks ?? []) await connectToNetwork({ docker: ctx.docker, network, container: info.id });
    follower = await followServerLog({ ctx, containerId, onLine: (l) => lines.push(l) });
    const ip = info.networks[ctx.network] || null;
    if (!ip) throw new Error(`the server has no address on ${ctx.network}`);
    const httpUrl = `http://${ip}:${HTTP_PORT}`;
    const health = await waitForHttp({
      url: `${httpUrl}/web/health`,
      timeoutMs: options.healthTimeoutMs ?? 60_000,
      // A refused connection costs the server nothing: poll often so a build is served the moment
      // Odoo answers, and ask the engine whether the process died once a second.
      intervalMs: 10,
      abortCheckEveryMs: 1_000,
      shouldAbort: async () => !(await inspectContainer({ docker: ctx.docker, id: info.id }))?.running,
    });
    if (!health.ok) {
      const now = await inspectContainer({ docker: ctx.docker, id: info.id });
      const why =
        now && !now.running
          ? `the server exited with code ${now.exitCode}`
          : `no 200 from /web/health within ${Math.round((options.healthTimeoutMs ?? 60_000) / 1000)} s (last: ${health.status ?? health.error})`;
      await stopContainer({ docker: ctx.docker, id: info.id, timeoutSeconds: 5 });
      await follower.done;
      await removeContainer({ docker: ctx.docker, id: info.id, force: true });
      return fail(`health check failed: ${why}`, null, null);
    }
    const classification = classifyRun({ kind: "serve", exitCode: 0, output: lines.join("\n"), healthCheck: { ok: true } });
    return {
      healthy: true,
      containerId,
      containerName: options.containerName,
      ip,
      httpUrl,
      durationMs: Date.now() - started,
      logFile,
      classification,
      logFollower: follower,
    };
  } catch (error) {
    follower?.stop();
    if (containerId) await removeContainer({ docker: ctx.docker, id: containerId, force: true }).catch(() => undefined);
    return fail(`the server could not start: ${(error as Error).message}`, null, null);
  }
}
