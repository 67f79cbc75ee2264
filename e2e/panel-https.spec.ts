// The control panel on one HTTPS origin (issue 16, items 2 and 3), in Chromium against a platform of
// this spec's own — web and worker started with SLIPWAY_TLS=acme, its own control-plane database,
// Redis database and ports — behind a Caddy of its own, with certificates from Debian's pebble (a
// real ACME server). The worker applies the edge itself (tls app, HTTPS listener, redirect, the
// panel's route); Caddy asks the web app's ask endpoint before obtaining the panel's certificate.
// Chromium trusts pebble's chain through its intermediate's key hash and reaches the panel's name
// on loopback. The journey: sign in over HTTPS, create a project, push, and type into the build's
// web shell, whose websocket is wss://<panel origin>/terminal (no second port), and which survives
// the proxy reloading its configuration (the view resumes the same session).
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { expect, test, type Browser } from "@playwright/test";
import { createProject } from "./support/journey";
import { startPrivatePlatform, visit, type PrivatePlatform } from "./support/private-platform";

// One test; its set-up (a platform of its own, ~30-60 s) and journey stay well under 3 minutes.
test.setTimeout(180_000);

const panelHost = "panel-https.slipway.test";
const slug = `https-${randomBytes(2).toString("hex")}`;

let platform: PrivatePlatform;
let browser: Browser;

/** A plain-HTTP request to the proxy for `host`: its status and Location. */
function plainHttp(host: string, target: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port: platform.proxy.httpPort, path: target, headers: { host }, timeout: 10_000 }, (res) => {
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
        port: platform.proxy.httpsPort,
        method: "POST",
        path: `/api/webhooks/git/${slug}`,
        servername: panelHost,
        ca: platform.pebble.rootPem,
        headers: {
          host: `${panelHost}:${platform.proxy.httpsPort}`,
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

/** Makes the proxy load its current configuration again (forced: Caddy skips an unchanged one otherwise). */
async function reloadProxy(): Promise<void> {
  const config = await fetch(`${platform.proxy.adminUrl}/config/`);
  expect(config.status).toBe(200);
  const load = await fetch(`${platform.proxy.adminUrl}/load`, {
    method: "POST",
    headers: { "content-type": "application/json", "cache-control": "must-revalidate" },
    body: await config.text(),
  });
  expect(load.status).toBe(200);
}

test.beforeAll(async () => {
  test.setTimeout(150_000);
  platform = await startPrivatePlatform({
    databaseName: "slipway_e2e_panel_https",
    redisDatabase: 11,
    // The panel behind the proxy, on its own name over HTTPS: the worker routes it (and /terminal).
    panelUrl: ({ https }) => `https://${panelHost}:${https}`,
  });
  browser = await platform.launchBrowser([panelHost]);
});

test.afterEach(({ browserName: _browserName }, testInfo) => {
  // The platform's own output, for a failure's report.
  if (testInfo.status !== testInfo.expectedStatus) console.log(platform?.report(60));
});

test.afterAll(async () => {
  await platform?.stop();
});

test("the web shell works through the panel's HTTPS origin: wss on the same origin, into the build's container", async () => {
  const { panelUrl, repo } = platform;
  const context = await browser.newContext({ baseURL: panelUrl });
  const page = await context.newPage();
  await platform.signIn(page);
  expect(new URL(page.url()).origin).toBe(panelUrl);

  // Plain HTTP to the panel's name is redirected to HTTPS.
  expect(await plainHttp(panelHost, "/login?next=%2Fprojects")).toEqual({ status: 308, location: `${panelUrl}/login?next=%2Fprojects` });

  const secret = await createProject(page, { name: "HTTPS panel", slug, repoUrl: repo.url });
  // The push arrives like a Git server's: through the proxy, over HTTPS, on the panel's name.
  expect(await pushOverHttps(secret, repo.push("main", ["green_addon"]))).toBe(202);
  await expect
    .poll(
      async () => {
        const rows = await platform.query<{ state: string; result: string | null }>(
          `SELECT b.state::text AS state, b.result::text AS result FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.number = 1`,
          [slug],
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
  await expect(page.getByTestId("build-url")).toHaveAttribute("href", new RegExp(`^https://[^/]+:${platform.proxy.httpsPort}$`));

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
  expect(new URL(terminal!).origin).toBe(`wss://${panelHost}:${platform.proxy.httpsPort}`);

  // The proxy reloads its configuration (any route added or removed on the platform does): Caddy 2.6
  // drops the websockets it proxies then. The shell lives on in the build's container and the view
  // resumes the same session through a new socket: the variable set before the drop is still there.
  await page.keyboard.type("K=kept-$((6*7))");
  await page.keyboard.press("Enter");
  await reloadProxy();
  await expect(page.locator(".xterm-rows")).toContainText("[reconnected]", { timeout: 30_000 });
  expect(sockets.filter((u) => u.includes("/terminal")).length).toBeGreaterThanOrEqual(2);
  expect(sockets.filter((u) => u.includes("/terminal"))[1]).toContain("&resume=");
  await expect(page.getByTestId("shell-status")).toHaveAttribute("data-state", "open");
  await page.keyboard.type('echo "$K-again"');
  await page.keyboard.press("Enter");
  await expect(page.locator(".xterm-rows")).toContainText("kept-42-again", { timeout: 15_000 });

  // The project goes, through the panel's origin too: the worker removes its containers.
  const [project] = await platform.query<{ id: string }>('SELECT id FROM "Project" WHERE slug = $1', [slug]);
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
