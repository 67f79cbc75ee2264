// Custom domains per branch, verified by DNS and served over HTTPS (issue 16, item 1 and the
// "Done when"), in Chromium against a platform of this spec's own: web and worker started with
// SLIPWAY_TLS=acme, their own control-plane database, Redis database and ports, a Caddy of their
// own with certificates from Debian's pebble (a real ACME server), and a real DNS server on
// loopback (dns2) that the worker's CNAME checks ask (SLIPWAY_DNS_SERVERS) and whose records this
// spec changes. The journey: an admin adds www.shop.test to production; while its CNAME is missing
// the Settings tab says so; once the record exists it turns verified, Caddy obtains a certificate
// from pebble (asking the web app's ask endpoint first), and https://www.shop.test serves
// production's Odoo with it; a bare domain and a domain of another project are refused; a name
// that belongs to nothing gets no certificate.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { createRequire } from "node:module";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { chromium, expect, test, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { startTestDnsServer, type TestDnsServer } from "../apps/worker/src/testing/dns-server";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { freeLoopbackPort, startPebble, type Pebble } from "../apps/worker/src/testing/pebble";
import { startPrivateCaddy, type PrivateCaddy } from "../apps/worker/src/testing/private-caddy";
import { createProject, pushWebhook } from "./support/journey";

// The second test uses the domain the first one verified: after a failure of the first, the
// second does not run (it could only fail for the same reason).
test.describe.configure({ mode: "serial" });
test.setTimeout(180_000);

const root = path.resolve(import.meta.dirname, "..");
const baseDomain = "slipway.localhost";
const domain = "www.shop.test";
const slug = `shop${randomBytes(2).toString("hex")}`;
const otherSlug = `other${randomBytes(2).toString("hex")}`;
const password = randomBytes(12).toString("hex");
const databaseName = "slipway_e2e_custom_domains";

let pebble: Pebble;
let proxy: PrivateCaddy;
let dns: TestDnsServer;
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
    stream.on("data", (c: Buffer) => output.push(...c.toString().split("\n").slice(0, 50)));
  procs.push({ name, child, output });
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

/**
 * A TLS handshake with the proxy for `servername`, trusting pebble's root only: the certificate
 * served (its names, issuer, expiry) or the handshake's error.
 */
function handshake(
  servername: string,
): Promise<{ names: string[]; issuer: string; validTo: string; authorized: boolean } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: proxy.httpsPort, servername, ca: pebble.rootPem, rejectUnauthorized: false });
    socket.setTimeout(30_000, () => {
      socket.destroy();
      resolve({ error: "timeout" });
    });
    socket.once("error", (e) => resolve({ error: e.message }));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      resolve({
        names: (cert.subjectaltname ?? "").split(/,\s*/).map((n) => n.replace(/^DNS:/, "")),
        issuer: String(cert.issuer?.CN ?? ""),
        validTo: cert.valid_to,
        authorized: socket.authorized,
      });
      socket.destroy();
    });
  });
}

test.beforeAll(async () => {
  test.setTimeout(150_000);
  [pebble, proxy, dns] = await Promise.all([startPebble(), startPrivateCaddy(), startTestDnsServer()]);
  repo = createFixtureRepo();
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
  redis.pathname = "/12";
  const [webPort, terminalPort, sshPort, mailPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  // The panel stays on the web app's own port (plain HTTP); the builds and custom domains are served by the proxy over HTTPS.
  panelUrl = `http://127.0.0.1:${webPort}`;
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
    SLIPWAY_BASE_DOMAIN: baseDomain,
    SLIPWAY_CADDY_ADMIN_URL: proxy.adminUrl,
    SLIPWAY_PROXY_PORT: String(proxy.httpPort),
    SLIPWAY_PROXY_TLS_PORT: String(proxy.httpsPort),
    SLIPWAY_TLS: "acme",
    SLIPWAY_ACME_CA: pebble.directoryUrl,
    SLIPWAY_ACME_CA_ROOT: pebble.apiCaFile,
    SLIPWAY_ACME_EMAIL: "ops@slipway.test",
    SLIPWAY_DNS_SERVERS: dns.server,
    SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS: "10",
    SLIPWAY_POLL_INTERVAL_SECONDS: "0",
    // The fixture repositories live in temporary folders.
    SLIPWAY_LOCAL_REPOS_ROOT: process.env.SLIPWAY_LOCAL_REPOS_ROOT ?? tmpdir(),
    SLIPWAY_DEFAULT_ODOO_IMAGE: "slipway/odoo-standin:{version}",
  };
  execFileSync("npx", ["prisma", "migrate", "deploy"], { cwd: root, env: platformEnv, stdio: "ignore" });
  const nextBin = createRequire(path.join(root, "apps/web/package.json")).resolve("next/dist/bin/next");
  start("web", [nextBin, "start", "-H", "127.0.0.1", "-p", String(webPort)], path.join(root, "apps/web"), platformEnv);
  start("worker", ["--import", "tsx", "src/main.ts"], path.join(root, "apps/worker"), platformEnv);
  await expect
    .poll(
      async () => {
        for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.output.join("\n")}`);
        return httpStatus(`${panelUrl}/api/health`);
      },
      { timeout: 120_000, intervals: [1_000] },
    )
    .toBe(200);
});

test.afterAll(async () => {
  await browser?.close();
  for (const p of procs) {
    if (p.child.exitCode !== null) continue;
    const exited = new Promise((r) => p.child.once("exit", r));
    p.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  // What the worker left for this spec's projects: containers, volumes, networks (by label), Odoo databases.
  if (databaseUrl) {
    const rows = await withDatabase(databaseUrl, async (c) => ({
      projects: (await c.query<{ id: string }>('SELECT id FROM "Project"')).rows,
      databases: (await c.query<{ name: string }>('SELECT "databaseName" AS name FROM "Build" WHERE "databaseName" IS NOT NULL')).rows,
    })).catch(() => ({ projects: [], databases: [] }));
    // Best effort: a failing docker command must not leave Caddy, pebble and the DNS server running.
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
      const networks = docker("network", "ls", "-q", "--filter", label);
      for (const network of networks) {
        // The shared PostgreSQL server joins project networks: let go of it first.
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
      );
  }
  repo?.remove();
  await dns?.close();
  await proxy?.stop();
  await pebble?.stop();
});

async function signIn(page: Page): Promise<void> {
  // Again from the login page when a network change dropped the sign-in's request.
  await expect(async () => {
    await page.goto("/login");
    await page.getByLabel("Login").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/projects$/, { timeout: 15_000 });
  }).toPass({ timeout: 50_000, intervals: [1_000] });
}

async function addDomain(page: Page, hostname: string): Promise<void> {
  await page.getByTestId("custom-domain-input").fill(hostname);
  await page.getByRole("button", { name: "Add domain" }).click();
}

test("an admin puts production on www.shop.test: pending DNS, verified, a certificate from pebble, Odoo over HTTPS", async () => {
  // Chromium accepts the chain pebble issued (its intermediate's key) and finds www.shop.test on loopback.
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
      `--host-resolver-rules=MAP ${domain} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
  });
  const context = await browser.newContext({ baseURL: panelUrl });
  const page = await context.newPage();
  await signIn(page);

  // Production: project, push to main, build #1 running; main moves to production (the Branches view's route).
  const secret = await createProject(page, { name: "Shop", slug, repoUrl: repo.url });
  expect((await pushWebhook(page, { slug, secret, branch: "main", revision: repo.push("main", ["green_addon"]) })).status()).toBe(202);
  const newestBuild = async (stage?: string) => {
    const { rows } = await withDatabase(databaseUrl, (c) =>
      c.query<{ state: string; result: string | null; stage: string; number: number }>(
        `SELECT b.state::text AS state, b.result::text AS result, b.stage::text AS stage, b.number FROM "Build" b JOIN "Project" p ON p.id = b."projectId"
         WHERE p.slug = $1 AND ($2::text IS NULL OR b.stage::text = $2) ORDER BY b.number DESC LIMIT 1`,
        [slug, stage ?? null],
      ),
    );
    const b = rows[0];
    if (b && (b.result === "red" || ["failed", "cancelled"].includes(b.state)))
      throw new Error(`build #${b.number} ended ${b.state}/${b.result}`);
    return b ? `${b.state}/${b.result ?? "-"}` : "none";
  };
  await expect.poll(() => newestBuild(), { timeout: 100_000, intervals: [1_000] }).toBe("running/green");
  const moved = await page.request.post(`/api/projects/${slug}/branches/main/stage`, {
    data: { stage: "production" },
    headers: { origin: panelUrl },
  });
  expect(moved.status()).toBe(200);
  await expect.poll(() => newestBuild("production"), { timeout: 100_000, intervals: [1_000] }).toBe("running/green");

  await page.goto(`/projects/${slug}/branches/main/settings`);
  const card = page.getByTestId("custom-domains");
  await expect(card.getByTestId("custom-domains-target")).toHaveText(`${slug}.${baseDomain}`);

  // A bare domain is refused with the seed's explanation.
  await addDomain(page, "shop.test");
  await expect(card.getByTestId("custom-domains-error")).toContainText("Bare domains are not accepted");
  await expect(card.getByTestId("custom-domains-error")).toContainText("A records");

  // No CNAME yet: the domain is added and the tab says the record is missing.
  await addDomain(page, "WWW.Shop.Test");
  const row = card.locator(`[data-testid="custom-domain"][data-hostname="${domain}"]`);
  await expect(row).toHaveAttribute("data-state", "pending");
  await expect(row.getByTestId("custom-domain-state")).toHaveText("Pending DNS");
  await expect(row.getByTestId("custom-domain-detail")).toContainText("No CNAME record yet", { timeout: 20_000 });
  await expect(row.getByTestId("custom-domain-detail")).toContainText("NXDOMAIN");
  await expect(row.getByTestId("custom-domain-primary")).toBeVisible();
  // Nothing is issued for a domain still pending DNS.
  expect(await handshake(domain)).toHaveProperty("error");

  // The record appears: "Check now" verifies it; the worker's first HTTPS handshake makes Caddy obtain the certificate.
  dns.setCname(domain, `${slug}.${baseDomain}`);
  await row.getByRole("button", { name: "Check now" }).click();
  await expect(row).toHaveAttribute("data-state", /verified|certificate/, { timeout: 30_000 });
  try {
    await expect(row).toHaveAttribute("data-state", "certificate", { timeout: 90_000 });
  } catch (e) {
    const now = await handshake(domain);
    const worker = procs
      .find((p) => p.name === "worker")
      ?.output.filter((l) => /domain|tls|certificate|edge/i.test(l))
      .slice(-30);
    throw new Error(
      `no certificate state: handshake now ${JSON.stringify(now)}\nworker:\n${worker?.join("\n")}\ncaddy:\n${proxy.log().split("\n").slice(-40).join("\n")}`,
      { cause: e },
    );
  }
  await expect(row.getByTestId("custom-domain-state")).toHaveText("Certificate issued");
  await expect(row.getByTestId("custom-domain-detail")).toContainText(/Certificate valid until \d{4}-\d{2}-\d{2}/);

  // The certificate served for www.shop.test is pebble's, for that name, and verifies against pebble's root.
  const served = await handshake(domain);
  expect(served).toMatchObject({ names: [domain], authorized: true });
  expect((served as { issuer: string }).issuer).toMatch(/Pebble/i);

  // Chromium on https://www.shop.test: production's Odoo (its database is the project's slug).
  const odoo = await context.newPage();
  const response = await odoo.goto(`https://${domain}:${proxy.httpsPort}/web/login`);
  expect(response?.status()).toBe(200);
  await expect(odoo.locator('input[name="db"]')).toHaveValue(slug);
  await odoo.close();

  // A name that belongs to nothing gets no certificate.
  const nothing = await handshake("www.nothing-here.test");
  expect("error" in nothing || !nothing.names.includes("www.nothing-here.test")).toBe(true);
  await context.close();
});

test("a domain of another project is refused, without naming that project", async () => {
  const context = await browser!.newContext({ baseURL: panelUrl });
  const page = await context.newPage();
  await signIn(page);
  await createProject(page, { name: "Other", slug: otherSlug, repoUrl: repo.url });
  // Its production branch (no build needed for its Settings tab). The worker reads the repository
  // of a new project and may record its main branch first: then that branch becomes production.
  await withDatabase(databaseUrl, (c) =>
    c.query(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "productionSlot", "updatedAt") SELECT gen_random_uuid(), id, 'main', 'production', true, now() FROM "Project" WHERE slug = $1
       ON CONFLICT ("projectId", name) DO UPDATE SET stage = 'production', "productionSlot" = true`,
      [otherSlug],
    ),
  );
  await page.goto(`/projects/${otherSlug}/branches/main/settings`);
  const card = page.getByTestId("custom-domains");
  await addDomain(page, domain);
  await expect(card.getByTestId("custom-domains-error")).toHaveText(`${domain} is already used by another project on this platform.`);
  await expect(card.getByTestId("custom-domains-error")).not.toContainText(slug);
  await expect(card.getByTestId("custom-domains-empty")).toBeVisible();
  await context.close();
});
