// Benchmark of a webhook burst (issue 12). Prints figures; asserts nothing.
//   npm run services:up
//   node --env-file=.slipway/env --import tsx bench/webhook-burst.ts [deliveries=1000] [seconds=10]
// webhook → queued under a burst: `deliveries` signed pushes (each a new branch, so each writes a
// Branch, a Build and enqueues build.run) sent over `seconds` without waiting for answers, through
// the real POST /api/webhooks/git/<project> handler (bounded body read, signature, replay checks,
// PostgreSQL transaction, BullMQ enqueue) called in this process: the time from the request to its
// 202 answer (which comes after the row is written and the job queued). Next's HTTP layer is not
// included (bench/build-journey.ts measures sequential deliveries through `next start`). Uses a
// temporary database and Redis database 10 (flushed), so no running worker picks the jobs up.
// On the 2-core dev machine (2026-12-04, shared with other test runs): 1,000 deliveries in 10 s all
// answered 202, p50 192 ms, p95 819 ms, p99 898 ms, max 1,162 ms; 1,000 builds written and queued.
import { randomBytes } from "node:crypto";
import { encryptSecret, loadWebConfig } from "@slipway/config";
import { insertProject } from "@slipway/db";
import { createTemporaryDatabase } from "@slipway/db/testing";
import { signPayload } from "@slipway/github";

const deliveries = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 10);
const secret = "bench-secret";

const db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
const redisUrl = new URL(process.env.REDIS_URL!);
redisUrl.pathname = "/10";
process.env.DATABASE_URL = db.url;
process.env.REDIS_URL = redisUrl.toString();
const { POST } = await import("../apps/web/src/app/api/webhooks/git/[project]/route");
const { deps } = await import("../apps/web/src/server/deps");
const d = deps();
await d.redis.flushdb();
const config = loadWebConfig();
const user = await d.prisma.user.create({ data: { login: "bench" } });
const slug = `bench${randomBytes(2).toString("hex")}`;
await insertProject(d.prisma, {
  slug,
  name: "Bench",
  repoUrl: "/srv/git/bench.git",
  repoKind: "generic",
  odooVersion: "17.0",
  odooImage: "odoo:17.0",
  baseDomain: "slipway.localhost",
  webhookSecretEnc: encryptSecret(secret, config.encryptionKey),
  creatorId: user.id,
});

const post = async (body: string, delivery: string): Promise<number> => {
  const request = new Request(`http://127.0.0.1/api/webhooks/git/${slug}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-slipway-delivery": delivery, "x-hub-signature-256": signPayload(secret, body) },
    body,
  });
  const res = await POST(request, { params: Promise.resolve({ project: slug }) });
  return res.status;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;

try {
  const revision = "a".repeat(40);
  for (let i = 0; i < 20; i++)
    await post(JSON.stringify({ ref: `refs/heads/warmup-${i}`, before: "0".repeat(40), after: revision }), `warm-${i}`);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const gap = (seconds * 1000) / deliveries;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < deliveries; i++) {
    const due = start + i * gap;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify({ ref: `refs/heads/burst-${i}`, before: "0".repeat(40), after: revision });
    const t0 = performance.now();
    inFlight.push(
      post(body, `burst-${i}`).then((status) => {
        latencies.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(inFlight);
  const total = (performance.now() - start) / 1000;
  const waiting = await d.queues.get("builds").getWaitingCount();
  const builds = await d.prisma.build.count({ where: { branch: { name: { startsWith: "burst-" } } } });
  console.log(
    `${deliveries} deliveries sent over ${seconds} s, all answered after ${total.toFixed(1)} s; answers: ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  console.log(
    `webhook → queued: p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))}`,
  );
  console.log(`builds written: ${builds}; build.run jobs waiting: ${waiting}`);
} finally {
  await d.queues
    .get("builds")
    .obliterate({ force: true })
    .catch(() => undefined);
  await d.redis.flushdb().catch(() => undefined);
  d.redis.disconnect();
  await d.queues.close().catch(() => undefined);
  await d.prisma.$disconnect();
  await db.drop();
}
