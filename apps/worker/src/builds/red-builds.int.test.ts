import { randomBytes } from "node:crypto";
import http from "node:http";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connectSecretFor, encryptSecret, issueShellTicket, loadWorkerConfig, shellTicketKey, signConnectToken } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { databaseExists, dropDatabase, ensureDatabase } from "../postgres";
import { escapeHtml, redPageRouteId } from "../proxy/caddy";
import { startTerminalGateway, type TerminalGateway } from "../terminal/gateway";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";
import { removeStaleRedPages } from "./red-page";
import { releaseBuild } from "./resources";
import { runBuild } from "./run-build";

// Red builds on the real stack (issue 14, items 5 and 6): tests that fail on an installed database
// leave a red build that runs and connects; an install that fails leaves a page at the build's URL
// that says why; a build's web shell has its own config for `odoo shell` and `psql` on its own
// database only.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let repo: FixtureRepo;
let gateway: TerminalGateway;
let projectId: string;
let adminId: string;
const slug = `red${randomBytes(3).toString("hex")}`;
/** Another project's database (with its own role), for the shell's isolation probe. */
const otherDatabase = `oth${randomBytes(3).toString("hex")}--main-1`;

function proxyRequest(
  host: string,
  urlPath: string,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: deps.config.proxyPort,
        path: urlPath,
        method: form ? "POST" : "GET",
        headers: form
          ? { ...headers, host, "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body!) }
          : { ...headers, host },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function pushAndBuild(branch: string, addons: string[]) {
  const revision = repo.push(branch, addons);
  const outcome = await recordPush(prisma, { projectId, branch, revision, message: `Add ${addons.join(", ")}`, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
  return prisma.build.findUniqueOrThrow({ where: { id: outcome.build.id }, include: { steps: { orderBy: { position: "asc" } } } });
}

/** Runs `lines` in a web shell session of the build and resolves with the output once `until` matches. */
function shell(buildId: string, lines: string[], until: RegExp): Promise<string> {
  const ticket = issueShellTicket({ key: shellTicketKey(deps.config.encryptionKey), userId: adminId, buildId }).ticket;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/terminal?ticket=${encodeURIComponent(ticket)}&cols=200&rows=50`);
    let output = "";
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`timed out; output so far: ${output}`));
    }, 60_000);
    ws.on("open", () => {
      for (const d of lines) ws.send(JSON.stringify({ t: "in", d }));
    });
    ws.on("message", (data, isBinary) => {
      output += isBinary ? data.toString("utf8") : "";
      if (until.test(output)) {
        clearTimeout(timer);
        ws.close(1000);
        resolve(output);
      }
    });
    ws.on("close", () => {
      clearTimeout(timer);
      resolve(output);
    });
    ws.on("error", () => undefined);
  });
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  repo = createFixtureRepo();
  adminId = (await prisma.user.create({ data: { login: `ada-${randomBytes(2).toString("hex")}` } })).id;
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Red builds",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: adminId,
    })
  ).id;
  gateway = await startTerminalGateway({ deps, host: "127.0.0.1", port: 0 });
  await ensureDatabase({ pg: await deps.postgres(), name: otherDatabase });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  if (deps) {
    for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } }))
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
    await dropDatabase({ pg: await deps.postgres(), name: otherDatabase }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
  }
  repo?.remove();
  await db?.drop();
});

describe("red builds", () => {
  let redRunning: Awaited<ReturnType<typeof pushAndBuild>>;

  it("keeps a build whose tests fail on an installed database running: red, served through Caddy, Connect opens it", async () => {
    redRunning = await pushAndBuild("feature/failing", ["failing_addon"]);
    expect(redRunning).toMatchObject({ state: "running", result: "red", inProgressSlot: null });
    expect(redRunning.failureReason).toMatch(/ERROR line|exited with code/);
    expect(redRunning.steps.map((s) => [s.name, s.state])).toEqual([
      ["fetch", "succeeded"],
      ["discover", "succeeded"],
      ["dependencies", "succeeded"],
      ["create_database", "succeeded"],
      ["install", "failed"],
      ["start", "succeeded"],
      ["route", "succeeded"],
    ]);
    const lines = (redRunning.offendingLines as { text: string }[]).map((l) => l.text);
    expect(lines.some((t) => t.includes("FAIL: TestFailing.test_fails"))).toBe(true);
    expect(await databaseExists({ pg: await deps.postgres(), name: redRunning.databaseName! })).toBe(true);

    const health = await proxyRequest(redRunning.hostname!, "/web/health");
    expect(health.status).toBe(200);
    const token = signConnectToken(connectSecretFor(deps.config.encryptionKey, redRunning.id), {
      db: redRunning.databaseName!,
      login: "admin",
      exp: Math.floor(Date.now() / 1000) + 60,
      nonce: randomBytes(16).toString("hex"),
    });
    const connect = await proxyRequest(redRunning.hostname!, "/slipway/connect", { token });
    expect(connect.status).toBe(303);
    const cookie = String(connect.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    expect(cookie).toMatch(/^session_id=/);
    const backend = await proxyRequest(redRunning.hostname!, "/web", undefined, { cookie });
    expect(backend.status).toBe(200);
    expect(backend.body).toContain("admin");
  });

  it("answers a page saying why at the URL of a build whose install fails (503, the error, a link to the build)", async () => {
    const build = await pushAndBuild("feature/broken", ["broken_xml_addon"]);
    expect(build).toMatchObject({ state: "failed", result: "red" });
    expect(await databaseExists({ pg: await deps.postgres(), name: build.databaseName! })).toBe(false);
    const page = await proxyRequest(build.hostname!, "/web");
    expect(page.status).toBe(503);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).toContain(`Build #${build.number} is red`);
    // The first error of the install (escaped), with the exception that ends its traceback.
    const first = (build.offendingLines as { level: string; text: string }[]).find((l) => l.level !== "WARNING")!;
    expect(page.body).toContain(escapeHtml(first.text.split("\n")[0]!.trim()));
    const lastLine = first.text.trim().split("\n").at(-1)!.trim();
    expect(page.body).toContain(escapeHtml(lastLine));
    expect(page.body).not.toMatch(/<(?!\/?(html|head|meta|title|body|h1|p|strong|pre|a)\b|!doctype)/);
    expect(page.body).toContain(`href="${deps.config.web.publicUrl}/projects/${slug}/builds/${build.number}"`);
    // Any path of the hostname, never a proxy to a server that does not exist.
    expect((await proxyRequest(build.hostname!, "/web/health")).status).toBe(503);
    // Control: a hostname no build holds still answers the catch-all 404.
    expect((await proxyRequest(`${slug}--nothing-999.slipway.localhost`, "/web")).status).toBe(404);

    // The page stays while the failed build is the branch's newest, and goes once a newer build exists.
    expect(await removeStaleRedPages(deps)).toBe(0);
    expect((await deps.caddy.redPageRouteIds()).includes(redPageRouteId(build.id))).toBe(true);
    const next = await pushAndBuild("feature/broken", ["green_addon"]);
    expect(next).toMatchObject({ state: "running", result: "green" });
    expect(await removeStaleRedPages(deps)).toBeGreaterThanOrEqual(1);
    expect((await proxyRequest(build.hostname!, "/web")).status).toBe(404);
    expect((await proxyRequest(next.hostname!, "/web/health")).status).toBe(200);
  });

  it("gives the web shell the build's own config for odoo shell and psql on the build's database only", async () => {
    const pgDatabase = redRunning.databaseName!;
    expect(await databaseExists({ pg: await deps.postgres(), name: otherDatabase })).toBe(true);
    const out = await shell(
      redRunning.id,
      [
        // No argument at all: the build's config names its addons, filestore and database.
        "odoo shell 2>&1 <<'PY' | grep -E '^(ADDONS|DATA|DB|LOADED|STATE)='\r",
        "print('ADDONS=%s' % odoo.tools.config['addons_path'])\r",
        "print('DATA=%s' % odoo.tools.config['data_dir'])\r",
        "print('DB=%s' % env.cr.dbname)\r",
        "print('LOADED=%s' % ('failing_addon' in odoo.registry(env.cr.dbname)._init_modules))\r",
        "env.cr.execute(\"SELECT state FROM ir_module_module WHERE name = 'failing_addon'\")\r",
        "print('STATE=%s' % env.cr.fetchone()[0])\r",
        "PY\r",
        "psql -Atc 'select current_database()' | sed 's/^/OWN=/'\r",
        `psql -d "$PGDATABASE" -Atc 'select 1' >/dev/null 2>&1 && echo CONTROL-$((40+2))\r`,
        `psql -d '${otherDatabase}' -Atc 'select 1' >/dev/null 2>&1 && echo PROBE-$((1+1)) || echo PROBE-$((0+0))\r`,
      ],
      /PROBE-\d/,
    );
    expect(out).toMatch(/ADDONS=\S*\/home\/odoo\/src\/user/);
    expect(out).toContain("DATA=/var/lib/odoo");
    expect(out).toContain(`DB=${pgDatabase}`);
    expect(out).toContain("LOADED=True");
    expect(out).toContain("STATE=installed");
    expect(out).toContain(`OWN=${pgDatabase}`);
    expect(out).toContain("CONTROL-42");
    expect(out).toContain("PROBE-0");
    expect(out).not.toContain("PROBE-2");
  });
});
