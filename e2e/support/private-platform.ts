// A platform of a spec's own (issue 16's HTTPS specs): web and worker started with SLIPWAY_TLS=acme
// on their own control-plane database, Redis database and ports, behind a Caddy of their own
// (apps/worker/src/testing/private-caddy) that obtains certificates from Debian's pebble (a real
// ACME server). The shared platform of `npm test` is left alone: its Caddy keeps plain HTTP, its
// worker never sees these jobs. `stop()` ends the processes and removes what the worker made for
// this platform's projects (containers, volumes, networks, Odoo databases and roles), best effort.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, expect, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { createFixtureRepo, type FixtureRepo } from "../../apps/worker/src/testing/fixture-repo";
import { freeLoopbackPort, startPebble, type Pebble } from "../../apps/worker/src/testing/pebble";
import { startPrivateCaddy, type PrivateCaddy } from "../../apps/worker/src/testing/private-caddy";

const root = path.resolve(import.meta.dirname, "../..");

export interface PlatformProcess {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote (stdout and stderr). */
  output: string[];
}

export interface PrivatePlatformOptions {
  /** Its control-plane database (dropped and created again at start). */
  databaseName: string;
  /** Its Redis database number (apart from the shared platform's 0 and the other specs'). */
  redisDatabase: number;
  /** SLIPWAY_PUBLIC_URL from the web app's port and the proxy's HTTPS port. */
  panelUrl(ports: { web: number; https: number }): string;
  /** More settings for web and worker (e.g. SLIPWAY_DNS_SERVERS). */
  env?: NodeJS.ProcessEnv;
}

export interface PrivatePlatform {
  pebble: Pebble;
  proxy: PrivateCaddy;
  repo: FixtureRepo;
  password: string;
  databaseUrl: string;
  panelUrl: string;
  webPort: number;
  procs: PlatformProcess[];
  /** One query on its control-plane database. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Chromium trusting pebble's chain (its intermediate's key) and finding `hosts` on loopback. */
  launchBrowser(hosts: string[]): Promise<Browser>;
  /** Signs in as its admin on `page` (whose baseURL is the panel); lands on the projects list. */
  signIn(page: Page): Promise<void>;
  /** The platform's output, for a failure's message. */
  report(lines?: number): string;
  stop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (npm test, or .slipway/env through playwright.config)`);
  return value;
}

async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** GET on `url` (plain HTTP, or HTTPS trusting `ca` and reaching the name on loopback): its status, 0 when it failed. */
function status(url: string, ca?: string): Promise<number> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const done = (res: http.IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    };
    const req =
      u.protocol === "https:"
        ? https.get(
            {
              host: "127.0.0.1",
              port: u.port || 443,
              path: u.pathname,
              servername: u.hostname,
              headers: { host: u.host },
              ca,
              timeout: 10_000,
            },
            done,
          )
        : http.get(url, { timeout: 5_000 }, done);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
  });
}

/** docker with an argument array; its output lines, or none when it fails (cleanup is best effort). */
function docker(...args: string[]): string[] {
  try {
    return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60_000 })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

export async function startPrivatePlatform(options: PrivatePlatformOptions): Promise<PrivatePlatform> {
  const procs: PlatformProcess[] = [];
  const password = randomBytes(12).toString("hex");
  const [pebble, proxy] = await Promise.all([startPebble(), startPrivateCaddy()]);
  const repo = createFixtureRepo();
  let browser: Browser | undefined;
  const admin = new URL(required("DATABASE_URL"));
  admin.pathname = "/postgres";
  const db = new URL(required("DATABASE_URL"));
  db.pathname = `/${options.databaseName}`;
  const databaseUrl = db.toString();
  const redis = new URL(required("REDIS_URL"));
  redis.pathname = `/${options.redisDatabase}`;
  const [webPort, terminalPort, sshPort, mailPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  const panelUrl = options.panelUrl({ web: webPort, https: proxy.httpsPort });
  const query = <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    withDatabase(databaseUrl, async (c) => (await c.query<T>(sql, params)).rows);

  const report = (lines = 40) =>
    [
      `--- caddy\n${proxy
        .log()
        .split("\n")
        .filter((l) => /"level":"(warn|error)"|tls|ask/.test(l))
        .slice(-30)
        .join("\n")}`,
      ...procs.map((p) => `--- ${p.name}\n${p.output.filter(Boolean).slice(-lines).join("\n")}`),
    ].join("\n");

  const stop = async () => {
    await browser?.close().catch(() => undefined);
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const exited = new Promise((r) => p.child.once("exit", r));
      p.child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    }
    // What the worker left for this platform's projects, found by their labels.
    const rows = await withDatabase(databaseUrl, async (c) => ({
      projects: (await c.query<{ id: string }>('SELECT id FROM "Project"')).rows,
      databases: (await c.query<{ name: string }>('SELECT "databaseName" AS name FROM "Build" WHERE "databaseName" IS NOT NULL')).rows,
    })).catch(() => ({ projects: [], databases: [] }));
    for (const { id } of rows.projects) {
      const label = `label=org.slipway.project=${id}`;
      const containers = docker("ps", "-aq", "--filter", label);
      if (containers.length) docker("rm", "-f", ...containers);
      const volumes = docker("volume", "ls", "-q", "--filter", label);
      if (volumes.length) docker("volume", "rm", "-f", ...volumes);
      for (const network of docker("network", "ls", "-q", "--filter", label)) {
        // The shared PostgreSQL server (slipway-postgres) joins project networks: let go of it first.
        for (const name of docker("network", "inspect", network, "--format", "{{range .Containers}}{{.Name}}\n{{end}}"))
          docker("network", "disconnect", "-f", network, name);
        docker("network", "rm", network);
      }
    }
    for (const { name } of rows.databases)
      docker(
        "exec",
        "slipway-postgres",
        "psql",
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-c",
        `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
        "-c",
        `DROP ROLE IF EXISTS "${name}"`,
      );
    repo.remove();
    await proxy.stop();
    await pebble.stop();
  };

  try {
    await withDatabase(admin.toString(), async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${options.databaseName}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${options.databaseName}"`);
    });
    const platformEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.toString(),
      SLIPWAY_ADMIN_PASSWORD: password,
      SLIPWAY_WEB_HOST: "127.0.0.1",
      SLIPWAY_WEB_PORT: String(webPort),
      SLIPWAY_TERMINAL_PORT: String(terminalPort),
      SLIPWAY_SSH_PORT: String(sshPort),
      SLIPWAY_MAIL_CATCHER_PORT: String(mailPort),
      SLIPWAY_PUBLIC_URL: panelUrl,
      SLIPWAY_TRUSTED_PROXIES: "127.0.0.1",
      SLIPWAY_CADDY_ADMIN_URL: proxy.adminUrl,
      SLIPWAY_PROXY_PORT: String(proxy.httpPort),
      SLIPWAY_PROXY_TLS_PORT: String(proxy.httpsPort),
      SLIPWAY_TLS: "acme",
      SLIPWAY_ACME_CA: pebble.directoryUrl,
      SLIPWAY_ACME_CA_ROOT: pebble.apiCaFile,
      SLIPWAY_ACME_EMAIL: "ops@slipway.test",
      SLIPWAY_POLL_INTERVAL_SECONDS: "0",
      // The fixture repositories live in temporary folders: the allowed root of local repositories
      // (npm test sets it; playwright.config gives it only to the web server it starts itself).
      SLIPWAY_LOCAL_REPOS_ROOT: process.env.SLIPWAY_LOCAL_REPOS_ROOT ?? tmpdir(),
      SLIPWAY_DEFAULT_ODOO_IMAGE: "slipway/odoo-standin:{version}",
      ...options.env,
    };
    execFileSync("npx", ["prisma", "migrate", "deploy"], { cwd: root, env: platformEnv, stdio: "ignore", timeout: 120_000 });
    const spawnNode = (name: string, args: string[], cwd: string) => {
      const child = spawn(process.execPath, args, { cwd, env: platformEnv, stdio: ["ignore", "pipe", "pipe"] });
      const output: string[] = [];
      for (const stream of [child.stdout, child.stderr])
        stream.on("data", (c: Buffer) => {
          output.push(...c.toString().split("\n"));
          output.splice(0, Math.max(0, output.length - 400));
        });
      procs.push({ name, child, output });
    };
    const nextBin = createRequire(path.join(root, "apps/web/package.json")).resolve("next/dist/bin/next");
    spawnNode("web", [nextBin, "start", "-H", "127.0.0.1", "-p", String(webPort)], path.join(root, "apps/web"));
    spawnNode("worker", ["--import", "tsx", "src/main.ts"], path.join(root, "apps/worker"));
    // Ready: the web app answers; with the panel behind the proxy, also over HTTPS on its name
    // (the worker applied the edge, Caddy asked the ask endpoint and obtained pebble's certificate).
    const behindProxy = new URL(panelUrl).port !== String(webPort);
    await expect
      .poll(
        async () => {
          for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited`);
          if ((await status(`http://127.0.0.1:${webPort}/api/health`)) !== 200) return "web starting";
          if (!behindProxy) return "ready";
          return (await status(`${panelUrl}/api/health`, pebble.rootPem)) === 200 ? "ready" : "no HTTPS yet";
        },
        { timeout: 120_000, intervals: [1_000] },
      )
      .toBe("ready");
  } catch (error) {
    const message = `the private platform did not start: ${String(error)}\n${report()}`;
    await stop();
    throw new Error(message, { cause: error });
  }

  return {
    pebble,
    proxy,
    repo,
    password,
    databaseUrl,
    panelUrl,
    webPort,
    procs,
    query,
    report,
    stop,
    async launchBrowser(hosts) {
      const spki = createHash("sha256")
        .update(new X509Certificate(pebble.intermediatePem).publicKey.export({ type: "spki", format: "der" }))
        .digest("base64");
      browser = await chromium.launch({
        // In a network namespace of its own (no ERR_NETWORK_CHANGED when Docker adds or removes
        // interfaces); its SOCKS relay resolves the MAP rules below.
        executablePath: path.join(import.meta.dirname, "chromium-netns.mjs"),
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          // HTTP/1.1 to the proxy (as most Odoo users' browsers through a plain proxy; also what the
          // specs were made reliable with before Chromium got its own namespace).
          "--disable-http2",
          `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`,
          `--ignore-certificate-errors-spki-list=${spki}`,
        ],
      });
      return browser;
    },
    async signIn(page) {
      // Again from the login page when a network change dropped the sign-in's request (the page
      // then shows its error boundary); a wrong password fails the same way every time.
      await expect(async () => {
        await visit(page, "/login");
        await page.getByLabel("Login").fill("admin");
        await page.getByLabel("Password").fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page).toHaveURL(/\/projects$/, { timeout: 15_000 });
      }).toPass({ timeout: 50_000, intervals: [1_000] });
    },
  };
}

/**
 * page.goto, again when Chromium drops the navigation with ERR_NETWORK_CHANGED (Docker adds and
 * removes network interfaces on this machine all the time; Chromium aborts requests in flight then).
 */
export async function visit(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      return;
    } catch (error) {
      if (attempt >= 4 || !String(error).includes("ERR_NETWORK_CHANGED")) throw error;
    }
  }
}
