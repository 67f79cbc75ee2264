import { createSessionRepository, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { publishProjectNotice } from "@slipway/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "@/server/auth/session-policy";
import { SESSION_COOKIE } from "@/server/auth/session-cookie";
import { PEER_ADDRESS_HEADER } from "@/server/auth/session-cookie";
import { createProjectNoticeHub, projectEventStream } from "@/server/projects/project-events";

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

/** Reads a stream until `until` appears in the text received so far (or the stream ends). */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: string, timeoutMs = 5000): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!text.includes(until)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(until)}; got ${JSON.stringify(text)}`);
    const chunk = await Promise.race([reader.read(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), deadline - Date.now()))]);
    if (chunk === "timeout") continue;
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

async function subscriberCount(redis: Redis): Promise<number> {
  const list = (await redis.client("LIST")) as string;
  return list.split("\n").filter((line) => line.includes("name=slipway-web-events")).length;
}

describe("GET /api/projects/[slug]/events (Server-Sent Events, real PostgreSQL and Redis)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let redis: Redis;
  let GET: typeof import("./route").GET;
  let projectId: string;
  let memberCookie: string;
  let outsiderCookie: string;

  const call = (cookie: string | null, signal?: AbortSignal, address = "198.51.100.1", slug = "live-shop") =>
    GET(
      new Request(`http://127.0.0.1/api/projects/${slug}/events`, {
        headers: { ...(cookie ? { cookie } : {}), [PEER_ADDRESS_HEADER]: address },
        signal,
      }),
      { params: Promise.resolve({ slug }) },
    );

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    // The route composes its dependencies from the environment on first use: point it at this database.
    process.env.DATABASE_URL = db.url;
    process.env.SLIPWAY_EVENT_STREAMS_PER_ADDRESS = "3";
    ({ GET } = await import("./route"));
    const { deps } = await import("@/server/deps");
    prisma = deps().prisma;
    redis = new Redis(redisUrl);
    const sessions = createSessionRepository({ prisma });
    const login = async (name: string) => {
      const user = await prisma.user.create({ data: { login: name } });
      const token = generateSessionToken();
      await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
      return { user, cookie: `other=1; ${SESSION_COOKIE}=${token}` };
    };
    const member = await login("dev-member");
    const outsider = await login("outsider");
    memberCookie = member.cookie;
    outsiderCookie = outsider.cookie;
    const project = await insertProject(prisma, {
      slug: "live-shop",
      name: "Live shop",
      repoUrl: "/srv/git/live.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: member.user.id,
    });
    projectId = project.id;
    await insertProject(prisma, {
      slug: "open-shop",
      name: "Open shop",
      repoUrl: "/srv/git/open.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: member.user.id,
    });
    await prisma.project.update({ where: { slug: "open-shop" }, data: { publicAccess: true } });
  });

  afterAll(async () => {
    const { deps } = await import("@/server/deps");
    const { projectNoticeHub } = await import("@/server/projects/project-events");
    projectNoticeHub(redisUrl!).close();
    deps().redis.disconnect();
    await deps()
      .queues.close()
      .catch(() => undefined);
    redis?.disconnect();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("answers 401 without a session and 404 to a signed-in user who is not a collaborator", async () => {
    const anonymous = await call(null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthorized", message: "Sign in first." } });
    const outsider = await call(outsiderCookie);
    expect(outsider.status).toBe(404);
    expect((await outsider.json()).error.code).toBe("not_found");
  });

  it("treats a malformed session cookie as anonymous: 401, never a 500 (issue 12, L1)", async () => {
    const res = await call(`${SESSION_COOKIE}=%E0%A4%A`);
    expect(res.status).toBe(401);
    expect((await call(`${SESSION_COOKIE}=%`)).status).toBe(401);
  });

  it("streams the project's notices to a collaborator and stops listening on disconnect", async () => {
    const abort = new AbortController();
    const response = await call(memberCookie, abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = response.body!.getReader();
    expect(await readUntil(reader, ": subscribed\n\n")).toContain("retry: 3000\n\n");

    const buildId = "5f0c8a9e-3b1d-4c2e-9f7a-6d5e4c3b2a10";
    await publishProjectNotice(redis, { projectId: "00000000-0000-4000-8000-000000000000", kind: "build" }); // another project: not forwarded
    await publishProjectNotice(redis, { projectId, buildId, kind: "build" });
    const text = await readUntil(reader, "\n\n");
    expect(text).toBe(`event: notice\ndata: ${JSON.stringify({ projectId, buildId, kind: "build" })}\n\n`);

    abort.abort();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await expect.poll(async () => Number((await redis.pubsub("NUMSUB", `slipway:project:${projectId}`))[1]), { timeout: 5000 }).toBe(0);
  });

  it("serves 40 viewers from 40 addresses on ONE Redis subscriber, each receiving the notices (issue 12, M3)", async () => {
    const before = await subscriberCount(redis);
    const aborts = Array.from({ length: 40 }, () => new AbortController());
    const readers = await Promise.all(
      aborts.map(async (abort, i) => {
        const res = await call(null, abort.signal, `203.0.113.${i + 1}`, "open-shop");
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        await readUntil(reader, ": subscribed\n\n");
        return reader;
      }),
    );
    // The first stream of the process created its subscriber: never more than one.
    expect(await subscriberCount(redis)).toBeLessThanOrEqual(Math.max(before, 1));
    const open = await prisma.project.findUniqueOrThrow({ where: { slug: "open-shop" } });
    expect(Number((await redis.pubsub("NUMSUB", `slipway:project:${open.id}`))[1])).toBe(1);
    await publishProjectNotice(redis, { projectId: open.id, kind: "project" });
    for (const reader of readers) expect(await readUntil(reader, "event: notice")).toContain(`"projectId":"${open.id}"`);
    for (const abort of aborts) abort.abort();
    await expect.poll(async () => Number((await redis.pubsub("NUMSUB", `slipway:project:${open.id}`))[1]), { timeout: 5000 }).toBe(0);
    expect(await subscriberCount(redis)).toBeLessThanOrEqual(Math.max(before, 1));
  });

  it("caps concurrent streams per client address (429 beyond SLIPWAY_EVENT_STREAMS_PER_ADDRESS) and frees a slot on close", async () => {
    const address = "192.0.2.50";
    const aborts = Array.from({ length: 3 }, () => new AbortController());
    for (const abort of aborts) expect((await call(null, abort.signal, address, "open-shop")).status).toBe(200);
    const refused = await call(null, undefined, address, "open-shop");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect((await refused.json()).error.code).toBe("rate_limited");
    // Another address is not affected; a closed stream gives its slot back.
    const other = new AbortController();
    expect((await call(null, other.signal, "192.0.2.51", "open-shop")).status).toBe(200);
    aborts[0]!.abort();
    await expect
      .poll(async () => {
        const abort = new AbortController();
        const res = await call(null, abort.signal, address, "open-shop");
        abort.abort();
        return res.status;
      })
      .toBe(200);
    for (const abort of [...aborts, other]) abort.abort();
  });

  it("sends a comment ping periodically", async () => {
    const hub = createProjectNoticeHub({ redisUrl: redisUrl! });
    const abort = new AbortController();
    let closed = 0;
    const reader = projectEventStream({ hub, projectId, signal: abort.signal, pingMs: 100, onClose: () => closed++ }).getReader();
    const text = await readUntil(reader, ": ping\n\n", 3000);
    expect(text).toContain(": ping\n\n");
    abort.abort();
    expect((await reader.read()).done).toBe(true);
    expect(closed).toBe(1);
    hub.close();
  });
});
