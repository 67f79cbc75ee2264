import { randomBytes } from "node:crypto";
import http from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSecretFor, encryptSecret, loadWorkerConfig, signConnectToken } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { databaseExists } from "../postgres";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { releaseBuild } from "./resources";
import { runBuild } from "./run-build";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let repo: FixtureRepo;
let projectId: string;
const slug = `pipe${randomBytes(3).toString("hex")}`;

function proxyGet(
  host: string,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port: deps.config.proxyPort, path: urlPath, headers: { host, ...headers } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on("error", reject);
  });
}

/** A form POST through the proxy (as a browser submits the control panel's connect form). */
function proxyPostForm(
  host: string,
  urlPath: string,
  form: Record<string, string>,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: deps.config.proxyPort,
        path: urlPath,
        method: "POST",
        headers: { host, "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
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

/** Status of a WebSocket upgrade through the proxy (101 when the build's Odoo accepts it). */
function proxyUpgrade(host: string, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port: deps.config.proxyPort,
      path: urlPath,
      headers: {
        host,
        connection: "Upgrade",
        upgrade: "websocket",
        // Browsers always send it, and Odoo 17 refuses an upgrade without it (400).
        origin: `http://${host}`,
        "sec-websocket-version": "13",
        "sec-websocket-key": randomBytes(16).toString("base64"),
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

async function pushAndBuild(branch: string, addons: string[], files?: Record<string, string>) {
  const revision = repo.push(branch, addons, undefined, files);
  const outcome = await recordPush(prisma, { projectId, branch, revision, message: `Add ${addons.join(", ")}`, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
  return prisma.build.findUniqueOrThrow({ where: { id: outcome.build.id }, include: { steps: { orderBy: { position: "asc" } } } });
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  repo = createFixtureRepo();
  const user = await prisma.user.create({ data: { login: "ada" } });
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Pipeline",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;
});

afterAll(async () => {
  if (deps) {
    for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } }))
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
  }
  repo?.remove();
  await db?.drop();
});

describe("development build pipeline with the stand-in Odoo image", () => {
  it("turns a push with passing tests green, serves it at its hostname and connects as admin", async () => {
    const build = await pushAndBuild("main", ["green_addon"]);
    expect(build.failureReason).toBeNull();
    expect(build).toMatchObject({ state: "running", result: "green", inProgressSlot: null });
    expect(build.steps.map((s) => [s.name, s.state])).toEqual([
      ["fetch", "succeeded"],
      ["discover", "succeeded"],
      ["dependencies", "succeeded"],
      ["create_database", "succeeded"],
      ["install", "succeeded"],
      ["start", "succeeded"],
      ["route", "succeeded"],
    ]);
    const install = readFileSync(path.join(deps.config.home, "builds", build.id, "logs", "install.log"), "utf8");
    expect(install).toContain("odoo.tests.result: 0 failed, 0 error(s)");
    expect(build.hostname).toBe(`${slug}--main-1.slipway.localhost`);

    const health = await proxyGet(build.hostname!, "/web/health");
    expect(health.status).toBe(200);
    expect(health.body).toContain("pass");
    expect(await proxyUpgrade(build.hostname!, "/websocket")).toBe(101);

    const sign = () =>
      signConnectToken(connectSecretFor(deps.config.encryptionKey, build.id), {
        db: build.databaseName!,
        login: "admin",
        exp: Math.floor(Date.now() / 1000) + 60,
        nonce: randomBytes(16).toString("hex"),
      });
    // A token in a URL is refused (it would be in the request log): the panel posts it.
    expect((await proxyGet(build.hostname!, `/slipway/connect?token=${encodeURIComponent(sign())}`)).status).toBe(405);
    const token = sign();
    const connect = await proxyPostForm(build.hostname!, "/slipway/connect", { token });
    expect(connect.status).toBe(303);
    expect(connect.headers.location).toMatch(/\/web$/);
    const cookie = String(connect.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    expect(cookie).toMatch(/^session_id=/);
    const backend = await proxyGet(build.hostname!, "/web", { cookie });
    expect(backend.status).toBe(200);
    expect(backend.body).toContain("admin");
    const forged = await proxyPostForm(build.hostname!, "/slipway/connect", { token: sign().slice(0, -2) + "xx" });
    expect(forged.status).toBe(403);
    // Single use: the same token a second time (within its 60 s) is refused and opens no session.
    const replay = await proxyPostForm(build.hostname!, "/slipway/connect", { token });
    expect(replay.status).toBe(403);
    expect(replay.body).toContain("already used");
    // Odoo may hand any visitor an anonymous session cookie; whatever it set, it opens no backend.
    const replayCookie = String(replay.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    const afterReplay = await proxyGet(build.hostname!, "/web", replayCookie ? { cookie: replayCookie } : {});
    expect(afterReplay.status).toBe(303);
    expect(afterReplay.headers.location).toMatch(/\/web\/login/);
    // A fresh token still works (the refusal is about the nonce, not the build).
    expect((await proxyPostForm(build.hostname!, "/slipway/connect", { token: sign() })).status).toBe(303);
    // Odoo's request log has the connect requests, never the posted token.
    const odooLog = path.join(deps.config.home, "builds", build.id, "logs", "odoo.log");
    await expect
      .poll(() => readFileSync(odooLog, "utf8").match(/POST \/slipway\/connect/g)?.length ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    expect(readFileSync(odooLog, "utf8")).not.toContain(token);
    expect(readFileSync(odooLog, "utf8")).not.toContain(token.split(".")[1]!);
  });

  it("turns a failing test red with its FAIL: line, and keeps the installed database served (red builds run, issue 14)", async () => {
    const build = await pushAndBuild("feature/failing", ["failing_addon"]);
    expect(build).toMatchObject({ state: "running", result: "red" });
    const lines = (build.offendingLines as { text: string; step: string }[]).map((l) => l.text);
    expect(lines.some((t) => t.includes("FAIL: TestFailing.test_fails"))).toBe(true);
    expect(build.steps.find((s) => s.name === "install")?.state).toBe("failed");
    expect(await databaseExists({ pg: await deps.postgres(), name: build.databaseName! })).toBe(true);
    expect((await proxyGet(build.hostname!, "/web/health")).status).toBe(200);
  });

  it("turns a broken XML data file red with the CRITICAL line", async () => {
    const build = await pushAndBuild("feature/broken", ["broken_xml_addon"]);
    expect(build).toMatchObject({ state: "failed", result: "red" });
    const offending = build.offendingLines as { level: string; text: string }[];
    expect(offending.some((l) => l.level === "CRITICAL" && l.text.includes("Failed to initialize database"))).toBe(true);
    // Nothing installed, no server: the URL says why instead of 404.
    expect(await databaseExists({ pg: await deps.postgres(), name: build.databaseName! })).toBe(false);
    expect((await proxyGet(build.hostname!, "/web/health")).status).toBe(503);
  });

  it("refuses a manifest that is not a Python literal: red with the file and the reason, nothing started", async () => {
    // Odoo would evaluate this; Slipway never executes a manifest.
    const build = await pushAndBuild("feature/bad-manifest", [], {
      "addons/bad_manifest_addon/__init__.py": "",
      "addons/bad_manifest_addon/__manifest__.py": "{'name': 'Bad' + str(1), 'depends': ['base']}\n",
    });
    expect(build).toMatchObject({ state: "failed", result: "red" });
    expect(build.failureReason).toMatch(/bad_manifest_addon\/__manifest__\.py/);
    expect(build.steps.find((s) => s.name === "discover")?.state).toBe("failed");
    expect(build.steps.some((s) => s.name === "create_database")).toBe(false);
  });

  it("stops the previous build of the branch when a newer one is ready, keeping its database", async () => {
    const first = await prisma.build.findFirstOrThrow({ where: { number: 1 } });
    const second = await pushAndBuild("main", ["green_addon", "warning_addon"]);
    expect(second).toMatchObject({ state: "running", result: "yellow" });
    const old = await prisma.build.findUniqueOrThrow({ where: { id: first.id } });
    expect(old.state).toBe("stopped");
    expect(await databaseExists({ pg: await deps.postgres(), name: old.databaseName! })).toBe(true);
    expect((await proxyGet(first.hostname!, "/web/health")).status).toBe(404);
    expect((await proxyGet(second.hostname!, "/web/health")).status).toBe(200);
  });
});
