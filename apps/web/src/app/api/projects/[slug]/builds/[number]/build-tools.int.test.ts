import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSessionRepository, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { shellTicketKey, verifyShellTicket } from "@slipway/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "@/server/auth/session-policy";
import { SESSION_COOKIE } from "@/server/auth/session-cookie";

// The build tool routes (logs list/follow/download, shell ticket, metrics) against a real
// PostgreSQL and log files on disk; the role matrix is checked by the server on every request.
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

let db: TemporaryDatabase;
let prisma: Db;
let home: string;
const cookies: Record<"admin" | "developer" | "tester" | "outsider", string> = { admin: "", developer: "", tester: "", outsider: "" };
const ids = { production: randomUUID(), development: randomUUID(), stopped: randomUUID() };
const numbers = { production: 1, development: 2, stopped: 3 };
const slug = `tools-${randomBytes(2).toString("hex")}`;
let routes: {
  list: typeof import("./logs/route").GET;
  download: typeof import("./logs/[file]/route").GET;
  follow: typeof import("./logs/[file]/follow/route").GET;
  ticket: typeof import("./shell-ticket/route").POST;
  metrics: typeof import("./metrics/route").GET;
};

const logDir = (buildId: string) => path.join(home, "builds", buildId, "logs");
const url = (n: number, rest: string) => `http://127.0.0.1:3000/api/projects/${slug}/builds/${n}/${rest}`;
const get = (cookie: string | null, target: string, signal?: AbortSignal) =>
  new Request(target, { headers: cookie ? { cookie } : {}, signal });
const params = (n: number) => ({ params: Promise.resolve({ slug, number: String(n) }) });
const fileParams = (n: number, file: string) => ({ params: Promise.resolve({ slug, number: String(n), file }) });

/** Reads SSE events from a stream as they come. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(timeoutMs = 5_000): Promise<{ event: string; data: unknown }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) return { event, data: data ? JSON.parse(data) : null };
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        const chunk = await Promise.race([reader.read(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left))]);
        if (chunk === "timeout") continue;
        if (chunk.done) throw new Error("stream ended");
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl });
  home = mkdtempSync(path.join(tmpdir(), "slipway-tools-"));
  process.env.DATABASE_URL = db.url;
  process.env.SLIPWAY_HOME = home;
  routes = {
    list: (await import("./logs/route")).GET,
    download: (await import("./logs/[file]/route")).GET,
    follow: (await import("./logs/[file]/follow/route")).GET,
    ticket: (await import("./shell-ticket/route")).POST,
    metrics: (await import("./metrics/route")).GET,
  };
  const { deps } = await import("@/server/deps");
  prisma = deps().prisma;
  const sessions = createSessionRepository({ prisma });
  const users: Record<string, string> = {};
  for (const who of Object.keys(cookies) as (keyof typeof cookies)[]) {
    const user = await prisma.user.create({ data: { login: `${who}-${randomBytes(2).toString("hex")}` } });
    const token = generateSessionToken();
    await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    cookies[who] = `${SESSION_COOKIE}=${token}`;
    users[who] = user.id;
  }
  const project = await insertProject(prisma, {
    slug,
    name: "Tools",
    repoUrl: "/srv/git/tools.git",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: "v1:x:y:z",
    creatorId: users.admin!,
  });
  await prisma.collaborator.createMany({
    data: [
      { projectId: project.id, userId: users.developer!, role: "developer" },
      { projectId: project.id, userId: users.tester!, role: "tester" },
    ],
  });
  const prod = await prisma.branch.create({ data: { projectId: project.id, name: "main", stage: "production", productionSlot: true } });
  const dev = await prisma.branch.create({ data: { projectId: project.id, name: "feature" } });
  const build = (id: string, number: number, branchId: string, stage: "production" | "development", state: "running" | "stopped") =>
    prisma.build.create({
      data: {
        id,
        projectId: project.id,
        branchId,
        number,
        stage,
        revision: "c".repeat(40),
        state,
        inProgressSlot: null,
        containerName: `c-${number}`,
      },
    });
  await build(ids.production, numbers.production, prod.id, "production", "running");
  await build(ids.development, numbers.development, dev.id, "development", "running");
  await build(ids.stopped, numbers.stopped, dev.id, "development", "stopped");
  for (const id of Object.values(ids)) mkdirSync(logDir(id), { recursive: true });
  writeFileSync(path.join(logDir(ids.development), "install.log"), "one\ntwo\nthree\n");
  writeFileSync(path.join(logDir(ids.development), "odoo.log"), "");
  writeFileSync(path.join(logDir(ids.production), "odoo.log"), "secret production line\n");
});

afterAll(async () => {
  const { deps } = await import("@/server/deps");
  deps().redis.disconnect();
  await deps()
    .queues.close()
    .catch(() => undefined);
  await prisma?.$disconnect();
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("logs", () => {
  it("lists a build's log files for roles with Logs on its stage only", async () => {
    const ok = await routes.list(get(cookies.developer, url(2, "logs")), params(2));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { files: { name: string }[] }).files.map((f) => f.name)).toEqual(["odoo.log", "install.log"]);
    expect((await routes.list(get(cookies.developer, url(1, "logs")), params(1))).status).toBe(403);
    expect((await routes.list(get(cookies.tester, url(1, "logs")), params(1))).status).toBe(403);
    expect((await routes.list(get(cookies.admin, url(1, "logs")), params(1))).status).toBe(200);
    expect((await routes.list(get(cookies.outsider, url(2, "logs")), params(2))).status).toBe(404);
    expect((await routes.list(get(null, url(2, "logs")), params(2))).status).toBe(401);
  });

  it("downloads a whole file as an attachment and never reads outside the log folder", async () => {
    const res = await routes.download(get(cookies.developer, url(2, "logs/install.log")), fileParams(2, "install.log"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${slug}-2-install.log"`);
    expect(await res.text()).toBe("one\ntwo\nthree\n");
    for (const name of ["../../../etc/passwd", "..", ".hidden.log", "install.txt"])
      expect((await routes.download(get(cookies.developer, url(2, `logs/${name}`)), fileParams(2, name))).status).toBe(404);
    expect((await routes.download(get(cookies.tester, url(1, "logs/odoo.log")), fileParams(1, "odoo.log"))).status).toBe(403);
  });

  it("follows a file: the tail first, then each appended line within a second (measured)", async () => {
    const abort = new AbortController();
    const res = await routes.follow(
      get(cookies.developer, url(2, "logs/install.log/follow?lines=2"), abort.signal),
      fileParams(2, "install.log"),
    );
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sseReader(res.body!);
    expect(await events.next()).toEqual({ event: "lines", data: ["two", "three"] });
    const file = path.join(logDir(ids.development), "install.log");
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      appendFileSync(file, `2026-11-21 12:00:00,000 7 INFO db odoo.modules.loading: line ${i}\n`);
      const e = await events.next(1_000);
      latencies.push(performance.now() - t0);
      expect(e).toEqual({ event: "lines", data: [`2026-11-21 12:00:00,000 7 INFO db odoo.modules.loading: line ${i}`] });
      await new Promise((r) => setTimeout(r, 20));
    }
    latencies.sort((a, b) => a - b);
    const figure = { median: latencies[10]!.toFixed(1), p95: latencies[18]!.toFixed(1), max: latencies[19]!.toFixed(1) };
    console.log(`log follow latency over 20 appended lines (ms): median ${figure.median}, p95 ${figure.p95}, max ${figure.max}`);
    expect(latencies[19]).toBeLessThan(1_000);

    // A line is sent only once complete; truncation restarts the view.
    appendFileSync(file, "half a li");
    appendFileSync(file, "ne\n");
    expect(await events.next()).toEqual({ event: "lines", data: ["half a line"] });
    writeFileSync(file, "fresh\n");
    expect((await events.next()).event).toBe("reset");
    expect(await events.next()).toEqual({ event: "lines", data: ["fresh"] });
    abort.abort();
  });

  it("refuses to follow a log the role may not see", async () => {
    expect((await routes.follow(get(cookies.developer, url(1, "logs/odoo.log/follow")), fileParams(1, "odoo.log"))).status).toBe(403);
  });
});

describe("shell tickets", () => {
  const post = (cookie: string | null, n: number, origin = "http://127.0.0.1:3000") =>
    new Request(url(n, "shell-ticket"), { method: "POST", headers: { ...(cookie ? { cookie } : {}), origin } });

  it("issues a short-lived ticket the gateway can verify, to roles with Shell on the stage", async () => {
    const res = await routes.ticket(post(cookies.admin, 1), params(1));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ticket: string; port: number; path: string };
    expect(body).toMatchObject({ port: 3001, path: "/terminal" });
    const { deps } = await import("@/server/deps");
    const claims = verifyShellTicket({ key: shellTicketKey(deps().config.encryptionKey), ticket: body.ticket });
    expect(claims).toMatchObject({ buildId: ids.production });
    expect(claims.exp - Date.now()).toBeLessThanOrEqual(30_000);
  });

  it("refuses a tester on production, a cross-site request and a stopped build", async () => {
    expect((await routes.ticket(post(cookies.tester, 1), params(1))).status).toBe(403);
    expect((await routes.ticket(post(cookies.developer, 2, "http://evil.example"), params(2))).status).toBe(403);
    expect((await routes.ticket(post(cookies.developer, 3), params(3))).status).toBe(409);
    expect((await routes.ticket(post(cookies.developer, 2), params(2))).status).toBe(200);
  });
});

describe("metrics", () => {
  it("returns the samples of the range as chart points, to roles with Monitor on the stage", async () => {
    const now = Date.now();
    await prisma.metric.createMany({
      data: [
        {
          buildId: ids.development,
          at: new Date(now - 10 * 60_000),
          cpuPercent: 12,
          memoryBytes: 100n,
          requests: 4,
          errors: 1,
          avgResponseMs: 25,
        },
        { buildId: ids.development, at: new Date(now - 3 * 3600_000), cpuPercent: 99, memoryBytes: 1n },
      ],
    });
    const res = await routes.metrics(get(cookies.developer, url(2, "metrics?range=1h")), params(2));
    const body = (await res.json()) as { range: string; points: { cpuPercent: number; requests: number }[] };
    expect(body.range).toBe("1h");
    expect(body.points).toHaveLength(1);
    expect(body.points[0]).toMatchObject({ cpuPercent: 12, memoryBytes: 100, requests: 4, errors: 1, avgResponseMs: 25 });
    const day = (await (await routes.metrics(get(cookies.developer, url(2, "metrics?range=24h")), params(2))).json()) as {
      points: unknown[];
    };
    expect(day.points).toHaveLength(2);
    expect((await routes.metrics(get(cookies.tester, url(1, "metrics")), params(1))).status).toBe(403);
  });
});
