// Benchmark of live-update streams (issue 12, M3). Prints figures; asserts nothing.
//   npm run services:up
//   node --env-file=.slipway/env --import tsx bench/sse-viewers.ts [steps=500,1000,2000,4000,8000]
// One web process's SSE capacity: the real GET /api/projects/<slug>/events handler (session-less
// visitor of a public project: access check in PostgreSQL, per-address slot, the process's notice
// hub) served by a plain node:http server in this process; N EventSource-like clients connect from
// distinct (simulated) addresses, then one notice is published and the time until every viewer has
// it is measured. Reported per step: Redis clients in total and the hub's subscriber connections
// (constant), process RSS/heap (server AND clients: an upper bound for the server), fan-out time.
// On the 2-core dev machine (2026-12-04, shared): 1,000 / 2,000 / 4,000 / 6,000 / 8,000 viewers held
// with 1 hub subscriber and 3-4 Redis clients in all (before: one connection per viewer); a notice
// reached every viewer in 71 / 207 / 267 / 400 / 402 ms; RSS 262 → 516 MiB. The harness stopped
// near 9,800: both ends of every connection live in this process (ulimit -n 20000, 2 per viewer).
// Once every viewer is gone the hub is back to 0 channels and 0 listeners (its connection stays).
import { randomBytes } from "node:crypto";
import { Agent, createServer, get, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Redis } from "ioredis";
import { insertProject } from "@slipway/db";
import { createTemporaryDatabase } from "@slipway/db/testing";
import { publishProjectNotice } from "@slipway/queue";

const steps = (process.argv[2] ?? "500,1000,2000,4000,8000").split(",").map(Number);
const adminUrl = process.env.DATABASE_URL!;
const redisUrl = process.env.REDIS_URL!;
const db = await createTemporaryDatabase({ adminUrl });
// The route composes its dependencies from the environment on first use: this database.
process.env.DATABASE_URL = db.url;
const { GET } = await import("../apps/web/src/app/api/projects/[slug]/events/route");
const { deps } = await import("../apps/web/src/server/deps");
const { projectNoticeHub } = await import("../apps/web/src/server/projects/project-events");
const { PEER_ADDRESS_HEADER } = await import("../apps/web/src/server/auth/session-cookie");
const prisma = deps().prisma;
const slug = `bench-sse-${randomBytes(3).toString("hex")}`;
const user = await prisma.user.create({ data: { login: slug } });
const project = await insertProject(prisma, {
  slug,
  name: slug,
  repoUrl: "/srv/git/bench.git",
  repoKind: "generic",
  odooVersion: "17.0",
  odooImage: "odoo:17.0",
  baseDomain: "slipway.localhost",
  webhookSecretEnc: "v1:x:y:z",
  creatorId: user.id,
});
await prisma.project.update({ where: { id: project.id }, data: { publicAccess: true } });

// Node request → the route's Request; the simulated client address stands for the socket's.
const server = createServer((req, res) => {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = { [PEER_ADDRESS_HEADER]: String(req.headers["x-bench-address"]) };
  void GET(new Request(`http://127.0.0.1${req.url}`, { headers, signal: abort.signal }), { params: Promise.resolve({ slug }) }).then(
    (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return void res.end();
      // As Next does (pipeTo with an abort on close): a gone client cancels the body stream.
      const body = Readable.fromWeb(response.body as NodeReadableStream);
      res.on("close", () => body.destroy());
      body.pipe(res);
    },
  );
});
server.maxConnections = 100_000;
await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 8192 }, resolve));
const port = (server.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
const admin = new Redis(redisUrl);

interface Viewer {
  res: IncomingMessage;
  notices: number;
}
const viewers: Viewer[] = [];
let noticeWaiters: (() => void)[] = [];

let resets = 0;

/** One viewer; a connection reset while connecting (accept queue full) is retried and counted. */
async function connect(i: number): Promise<Viewer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(i);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ECONNRESET" || attempt >= 5) throw e;
      resets++;
    }
  }
}

function connectOnce(i: number): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    // 4 viewers per address (the cap is 16): N/4 distinct addresses from 10.0.0.0/8.
    const a = Math.floor(i / 4);
    const address = `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`;
    const req = get(
      { host: "127.0.0.1", port, path: `/api/projects/${slug}/events`, agent, headers: { "x-bench-address": address } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`viewer ${i}: HTTP ${res.statusCode}`));
        const viewer: Viewer = { res, notices: 0 };
        let subscribed = false;
        res.setEncoding("utf8");
        res.on("data", (text: string) => {
          if (!subscribed && text.includes(": subscribed")) {
            subscribed = true;
            resolve(viewer);
          }
          if (text.includes("event: notice")) {
            viewer.notices++;
            noticeWaiters.shift()?.();
          }
        });
        res.on("error", () => undefined); // closed by the benchmark itself at the end
      },
    );
    req.on("error", reject);
  });
}

async function redisClients(): Promise<{ total: number; hub: number }> {
  const list = (await admin.client("LIST")) as string;
  const lines = list.split("\n").filter(Boolean);
  return { total: lines.length, hub: lines.filter((l) => l.includes("name=slipway-web-events")).length };
}

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
const baseline = await redisClients();
console.log(`Redis clients before: ${baseline.total} (hub subscribers of any process: ${baseline.hub})`);
console.log("viewers | connect all | notice → all viewers | Redis clients (hub) | RSS | heap");
try {
  for (const target of steps) {
    const t0 = performance.now();
    // Connect in waves of 200 so the accept queue is not the thing measured.
    for (let k = viewers.length; k < target; k += 200) {
      const wave: Promise<Viewer>[] = [];
      for (let i = k; i < Math.min(target, k + 200); i++) wave.push(connect(i));
      viewers.push(...(await Promise.all(wave)));
    }
    const connectMs = performance.now() - t0;
    const all = new Promise<void>((resolve) => {
      let left = viewers.length;
      noticeWaiters = Array.from({ length: viewers.length }, () => () => {
        if (--left === 0) resolve();
      });
    });
    const t1 = performance.now();
    await publishProjectNotice(admin, { projectId: project.id, kind: "project" });
    await all;
    const fanoutMs = performance.now() - t1;
    const clients = await redisClients();
    const mem = process.memoryUsage();
    console.log(
      `${String(viewers.length).padStart(7)} | ${(connectMs / 1000).toFixed(1)} s | ${fanoutMs.toFixed(0)} ms | ${clients.total} (${clients.hub}) | ${mib(mem.rss)} | ${mib(mem.heapUsed)}${resets ? ` | ${resets} connection resets retried` : ""}`,
    );
  }
} catch (e) {
  console.log(`stopped at ${viewers.length} viewers: ${(e as Error).message}`);
} finally {
  for (const v of viewers) v.res.destroy();
  const hub = projectNoticeHub(redisUrl);
  for (let i = 0; i < 100 && hub.stats().listeners > 0; i++) await new Promise((r) => setTimeout(r, 100));
  const after = await redisClients();
  console.log(
    `hub listeners after closing: ${JSON.stringify(projectNoticeHub(redisUrl).stats())}; Redis clients: ${after.total} (${after.hub})`,
  );
  server.close();
  agent.destroy();
  projectNoticeHub(redisUrl).close();
  admin.disconnect();
  deps().redis.disconnect();
  await deps()
    .queues.close()
    .catch(() => undefined);
  await prisma.$disconnect();
  await db.drop();
}
