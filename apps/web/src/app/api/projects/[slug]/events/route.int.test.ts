import { createSessionRepository, insertProject, type PrismaClient } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { publishProjectNotice } from "@slipway/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "../../../../../server/auth/session-policy";
import { SESSION_COOKIE } from "../../../../../server/auth/session-cookie";
import { projectEventStream } from "../../../../../server/projects/project-events";

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
  let prisma: PrismaClient;
  let redis: Redis;
  let GET: typeof import("./route").GET;
  let projectId: string;
  let memberCookie: string;
  let outsiderCookie: string;

  const call = (cookie: string | null, signal?: AbortSignal) =>
    GET(new Request("http://127.0.0.1/api/projects/live-shop/events", { headers: cookie ? { cookie } : {}, signal }), { params: Promise.resolve({ slug: "live-shop" }) });

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    // The route composes its dependencies from the environment on first use: point it at this database.
    process.env.DATABASE_URL = db.url;
    ({ GET } = await import("./route"));
    const { deps } = await import("../../../../../server/deps");
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
      slug: "live-shop", name: "Live shop", repoUrl: "/srv/git/live.git", repoKind: "generic", odooVersion: "17.0",
      odooImage: "odoo:17.0", baseDomain: "slipway.localhost", webhookSecretEnc: "v1:x:y:z", creatorId: member.user.id,
    });
    projectId = project.id;
  });

  afterAll(async () => {
    const { deps } = await import("../../../../../server/deps");
    deps().redis.disconnect();
    await deps().queues.close().catch(() => undefined);
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

  it("streams the project's notices to a collaborator and closes its Redis subscriber on disconnect", async () => {
    const before = await subscriberCount(redis);
    const abort = new AbortController();
    const response = await call(memberCookie, abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = response.body!.getReader();
    expect(await readUntil(reader, ": subscribed\n\n")).toContain("retry: 3000\n\n");
    expect(await subscriberCount(redis)).toBe(before + 1);

    const buildId = "5f0c8a9e-3b1d-4c2e-9f7a-6d5e4c3b2a10";
    await publishProjectNotice(redis, { projectId: "00000000-0000-4000-8000-000000000000", kind: "build" }); // another project: not forwarded
    await publishProjectNotice(redis, { projectId, buildId, kind: "build" });
    const text = await readUntil(reader, "\n\n");
    expect(text).toBe(`event: notice\ndata: ${JSON.stringify({ projectId, buildId, kind: "build" })}\n\n`);

    abort.abort();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await expect.poll(() => subscriberCount(redis), { timeout: 5000 }).toBe(before);
  });

  it("sends a comment ping periodically", async () => {
    const abort = new AbortController();
    const reader = projectEventStream({ redisUrl, projectId, signal: abort.signal, pingMs: 100 }).getReader();
    const text = await readUntil(reader, ": ping\n\n", 3000);
    expect(text).toContain(": ping\n\n");
    abort.abort();
    expect((await reader.read()).done).toBe(true);
  });
});
