// The control panel on one HTTPS origin (issue 16, items 2 and 3), in Chromium against a platform of
// this spec's own — web and worker started with SLIPWAY_TLS=acme, its own control-plane database,
// Redis database and ports — behind a Caddy of its own, with certificates from Debian's pebble (a
// real ACME server). The worker applies the edge itself (tls app, HTTPS listener, redirect, the
// panel's route); Caddy asks the web app's ask endpoint before obtaining the panel's certificate.
// Chromium trusts pebble's chain through its intermediate's key hash and reaches the panel's name
// on loopback. The journey: sign in over HTTPS, create a project, push, and type into the build's
// web shell, whose websocket is wss://<panel origin>/terminal (no second port).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomBytes, X509Certificate } from "node:crypto";
import { createRequire } from "node:module";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, expect, test, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { freeLoopbackPort, startPebble, type Pebble } from "../apps/worker/src/testing/pebble";
import { startPrivateCaddy, type PrivateCaddy } from "../apps/worker/src/testing/private-caddy";
import { createProject } from "./support/journey";

// One test; its set-up (a platform of its own, ~30-60 s) and journey stay well under 3 minutes.
test.setTimeout(180_000);

const root = path.resolve(import.meta.dirname, "..");
const panelHost = "panel-https.slipway.test";
const slug = `https-${randomBytes(2).toString("hex")}`;
const password = randomBytes(12).toString("hex");
const databaseName = "slipway_e2e_panel_https";

let pebble: Pebble;
let proxy: PrivateCaddy;
let repo: FixtureRepo;
let browser: Browser | undefined;
let databaseUrl = "";
let panelUrl = "";
const procs: Array<{ name: string; child: ChildProcess; output: string[] }> = [];

function env(name: string): string {
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

function start(name: string, args: string[], cwd: string, childEnv: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    stream.on("data", (c: Buffer) => {
      output.push(...c.toString().split("\n"));
      output.splice(0, Math.max(0, output.length - 400));
    });
  procs.push({ name, child, output });
}

function httpsStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const u = new URL(url);
    https
      .get(
        {
          host: "127.0.0.1",
          port: u.port,
          path: u.pathname,
          servername: u.hostname,
          headers: { host: u.host },
          ca: pebble.rootPem,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
      .on("error", () => resolve(0));
  });
}

/** A plain-HTTP request to the proxy for `host`: its status and Location. */
function plainHttp(host: string, target: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port: proxy.httpPort, path: target, headers: { host }, timeout: 10_000 }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      })
      .on("error", reject);
  });
}

/** The project's signed generic webhook, delivered over HTTPS through the proxy (pebble's chain trusted). */
function pushOverHttps(secret: string, revision: string): Promise<number> {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: revision,
    head_commit: { id: revision, message: "push main" },
  });
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: proxy.httpsPort,
        method: "POST",
        path: `/api/webhooks/git/${slug}`,
        servername: panelHost,
        ca: pebble.rootPem,
        headers: {
          host: `${panelHost}:${proxy.httpsPort}`,
          "content-type": "application/json",
          "x-hub-signature-256": signature,
          "x-slipway-delivery": randomBytes(8).toString("hex"),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get(url, { timeout: 5_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", () => resolve(0));
  });
}

test.beforeAll(async () => {
  test.setTimeout(150_000);
  [pebble, proxy] = await Promise.all([startPebble(), startPrivateCaddy()]);
  repo = createFixtureRepo();
  // A control-plane database and a Redis database of this platform's own: its jobs never reach the
  // shared platform's worker, nor the other way round.
  const admin = new URL(env("DATABASE_URL"));
  admin.pathname = "/postgres";
  await withDatabase(admin.toString(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${databaseName}"`);
  });
  const db = new URL(env("DATABASE_URL"));
  db.pathname = `/${databaseName}`;
  databaseUrl = db.toString();
  const redis = new URL(env("REDIS_URL"));
  redis.pathname = "/11";
  const [webPort, terminalPort, sshPort, mailPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  panelUrl = `https://${panelHost}:${proxy.httpsPort}`;
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
    // The fixture repository lives in a temporary folder: the allowed root of local repositories.
    SLIPWAY_LOCAL_REPOS_ROOT: process.env.SLIPWAY_LOCAL_REPOS_ROOT ?? tmpdir(),
    SLIPWAY_DEFAULT_ODOO_IMAGE: "slipway/odoo-standin:{version}",
  };
  execFileSync("npx", ["prisma", "migrate", "deploy"], { cwd: root, env: platformEnv, stdio: "ignore" });
  const nextBin = createRequire(path.join(root, "apps/web/package.json")).resolve("next/dist/bin/next");
  start("web", [nextBin, "start", "-H", "127.0.0.1", "-p", String(webPort)], path.join(root, "apps/web"), platformEnv);
  start("worker", ["--import", "tsx", "src/main.ts"], path.join(root, "apps/worker"), platformEnv);
  // The worker applies the edge; the first handshake for the panel's name gets pebble's certificate.
  await expect
    .poll(
      async () => {
        for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.output.join("\n")}`);
        if ((await httpStatus(`http://127.0.0.1:${webPort}/api/health`)) !== 200) return "web starting";
        return (await httpsStatus(`${panelUrl}/api/health`)) === 200 ? "ready" : "no HTTPS yet";
      },
      { timeout: 120_000, intervals: [1_000] },
    )
    .toBe("ready")
    .catch((error: unknown) => {
      const tail = (lines: string[]) => lines.slice(-40).join("\n");
      throw new Error(
        `${String(error)}\n--- caddy\n${proxy
          .log()
          .split("\n")
          .filter((l) => /"level":"(warn|error)"|tls|ask/.test(l))
          .slice(-30)
          .join("\n")}\n${procs.map((p) => `--- ${p.name}\n${tail(p.output)}`).join("\n")}`,
      );
    });
});

test.afterEach(({ browserName: _browserName }, testInfo) => {
  // The platform's own output, for a failure's report.
  if (testInfo.status !== testInfo.expectedStatus)
    for (const p of procs) console.log(`--- ${p.name}\n${p.output.filter(Boolean).slice(-60).join("\n")}`);
});

test.afterAll(async () => {
  await browser?.close();
  for (const p of procs) {
    if (p.child.exitCode !== null) continue;
    const exited = new Promise((r) => p.child.once("exit", r));
    p.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  // Fallback when the test failed before deleting its project: what the worker left for it
  // (containers, volumes, network, Odoo database and role), best effort.
  if (databaseUrl) {
    const rows = await withDatabase(databaseUrl, async (c) => ({
      projects: (await c.query<{ id: string }>('SELECT id FROM "Project"')).rows,
      databases: (await c.query<{ name: string }>('SELECT "databaseName" AS name FROM "Build" WHERE "databaseName" IS NOT NULL')).rows,
    })).catch(() => ({ projects: [], databases: [] }));
    const docker = (...args: string[]): string[] => {
      try {
        return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
          .split("\n")
          .filter(Boolean);
      } catch {
        return [];
      }
    };
    for (const { id } of rows.projects) {
      const label = `label=org.slipway.project=${id}`;
      const containers = docker("ps", "-aq", "--filter", label);
      if (containers.length) docker("rm", "-f", ...containers);
      const volumes = docker("volume", "ls", "-q", "--filter", label);
      if (volumes.length) docker("volume", "rm", "-f", ...volumes);
      for (const network of docker("network", "ls", "-q", "--filter", label)) {
        for (const c of docker("network", "inspect", network, "--format", "{{range .Containers}}{{.Name}}\n{{end}}"))
          docker("network", "disconnect", "-f", network, c);
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
  }
  repo?.remove();
  await proxy?.stop();
  await pebble?.stop();
});

/**
 * page.goto, again when Chromium drops the navigation with ERR_NETWORK_CHANGED (Docker adds and
 * removes network interfaces on this machine all the time; Chromium aborts requests in flight then).
 */
async function visit(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      return;
    } catch (error) {
      if (attempt >= 4 || !String(error).includes("ERR_NETWORK_CHANGED")) throw error;
    }
  }
}

async function signIn(page: Page): Promise<void> {
  // Again from the login page when a network change dropped the sign-in's request (the page then
  // shows its error boundary); a wrong password fails the same way every time.
  await expect(async () => {
    await visit(page, "/login");
    await page.getByLabel("Login").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/projects$/, { timeout: 15_000 });
  }).toPass({ timeout: 50_000, intervals: [1_000] });
}

test("the web shell works through the panel's HTTPS origin: wss on the same origin, into the build's container", async () => {
  // Chromium accepts the chain pebble issued (its intermediate's key) and finds the panel's name on loopback.
  const spki = createHash("sha256")
    .update(new X509Certificate(pebble.intermediatePem).publicKey.export({ type: "spki", format: "der" }))
    .digest("base64");
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      // HTTP/1.1 to the proxy: Chromium on Linux closes its HTTP/2 sessions, with every request in
      // flight on them, at each network change (ERR_NETWORK_CHANGED), and Docker adds and removes
      // interfaces on this machine all the time. Over HTTP/1.1 a request already sent completes.
      "--disable-http2",
      `--host-resolver-rules=MAP ${panelHost} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
  });
  const context = await browser.newContext({ baseURL: panelUrl });
  const page = await context.newPage();
  await signIn(page);
  expect(new URL(page.url()).origin).toBe(panelUrl);

  // Plain HTTP to the panel's name is redirected to HTTPS.
  expect(await plainHttp(panelHost, "/login?next=%2Fprojects")).toEqual({ status: 308, location: `${panelUrl}/login?next=%2Fprojects` });

  const secret = await createProject(page, { name: "HTTPS panel", slug, repoUrl: repo.url });
  // The push arrives like a Git server's: through the proxy, over HTTPS, on the panel's name.
  expect(await pushOverHttps(secret, repo.push("main", ["green_addon"]))).toBe(202);
  await expect
    .poll(
      async () => {
        const { rows } = await withDatabase(databaseUrl, (c) =>
          c.query<{ state: string; result: string | null }>(
            `SELECT b.state::text AS state, b.result::text AS result FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.number = 1`,
            [slug],
          ),
        );
        const b = rows[0];
        if (b && (b.result === "red" || ["failed", "cancelled"].includes(b.state)))
          throw new Error(`build #1 ended ${b.state}/${b.result}`);
        return b ? `${b.state}/${b.result ?? "-"}` : "none";
      },
      { timeout: 100_000, intervals: [1_000] },
    )
    .toBe("running/green");

  // With TLS on, the panel links to the build over HTTPS, on the proxy's TLS port (issue 16).
  await visit(page, `/projects/${slug}/builds/1`);
  await expect(page.getByTestId("build-url")).toHaveAttribute("href", new RegExp(`^https://[^/]+:${proxy.httpsPort}$`));

  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await visit(page, `/projects/${slug}/builds/1/shell`);
  await expect(page.getByTestId("shell-status")).toHaveAttribute("data-state", "open", { timeout: 30_000 });
  await expect(page.locator(".xterm-rows")).toContainText("odoo@", { timeout: 15_000 });
  await page.getByTestId("terminal").click();
  await page.keyboard.type("echo HTTPS-$((6*7)) $(id -un)");
  await page.keyboard.press("Enter");
  await expect(page.locator(".xterm-rows")).toContainText("HTTPS-42 odoo", { timeout: 15_000 });
  const terminal = sockets.find((u) => u.includes("/terminal"));
  expect(terminal).toBeDefined();
  expect(new URL(terminal!).origin).toBe(`wss://${panelHost}:${proxy.httpsPort}`);

  // The project goes, through the panel's origin too: the worker removes its containers.
  const [project] = (await withDatabase(databaseUrl, (c) => c.query<{ id: string }>('SELECT id FROM "Project" WHERE slug = $1', [slug])))
    .rows;
  await visit(page, `/projects/${slug}/settings`);
  await page.getByLabel("Project name to confirm").fill(slug);
  await page.getByRole("button", { name: "Delete this project" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect
    .poll(
      () => execFileSync("docker", ["ps", "-aq", "--filter", `label=org.slipway.project=${project!.id}`], { encoding: "utf8" }).trim(),
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBe("");
});
