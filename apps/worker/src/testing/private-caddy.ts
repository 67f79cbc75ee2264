// Test support: a Caddy of the test's own (admin API, HTTP and HTTPS ports on loopback, its own
// storage), started with the same base configuration provisioning gives the platform's Caddy
// (scripts/lib/provision.mjs): one server `slipway` on the HTTP port, automatic HTTPS off, and
// Caddy's local CA never installed in the machine's trust stores. Tests that switch TLS on use it
// instead of the shared Caddy, whose plain-HTTP routes other tests rely on.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freeLoopbackPort } from "./pebble";

export interface PrivateCaddy {
  adminUrl: string;
  httpPort: number;
  httpsPort: number;
  /** Stops Caddy and starts it again from its base configuration (what the admin API added is lost). */
  restart(): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export async function startPrivateCaddy(): Promise<PrivateCaddy> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-caddy-"));
  mkdirSync(path.join(dir, "data"), { recursive: true });
  const [adminPort, httpPort, httpsPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const file = path.join(dir, "caddy.json");
  writeFileSync(
    file,
    JSON.stringify({
      admin: { listen: `127.0.0.1:${adminPort}` },
      storage: { module: "file_system", root: path.join(dir, "data") },
      apps: {
        pki: { certificate_authorities: { local: { install_trust: false } } },
        http: {
          http_port: httpPort,
          https_port: httpsPort,
          servers: { slipway: { listen: [`127.0.0.1:${httpPort}`], routes: [], automatic_https: { disable: true } } },
        },
      },
    }),
  );
  const logFile = path.join(dir, "caddy.log");
  // Its own home and data folders only (Caddy is looked up in /usr/bin:/bin without PATH).
  const env = { HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") };
  let child: ChildProcess | null = null;
  const alive = () =>
    fetch(`${adminUrl}/config/`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
  const log = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const start = async () => {
    const fd = openSync(logFile, "a");
    const c = spawn("caddy", ["run", "--config", file], { stdio: ["ignore", fd, fd], env });
    child = c;
    const deadline = Date.now() + 30_000;
    while (!(await alive())) {
      if (c.exitCode !== null) throw new Error(`caddy exited (${c.exitCode}):\n${log()}`);
      if (Date.now() > deadline) throw new Error(`caddy's admin API did not answer:\n${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const halt = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  };
  try {
    await start();
  } catch (e) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    adminUrl,
    httpPort,
    httpsPort,
    log,
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
