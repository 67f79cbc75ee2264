import { createSessionRepository, insertProject, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "../../server/auth/session-policy";
import { SESSION_COOKIE } from "../../server/auth/session-cookie";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !process.env.REDIS_URL)
  throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** A chunked body of `total` bytes produced on demand (no Content-Length); `pulled()` is what was read. */
function flood(total = 40 * MiB) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        produced += CHUNK;
        controller.enqueue(new Uint8Array(CHUNK).fill(0x7b));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => produced };
}

describe("request bodies are read with a byte counter, after authorization where possible (issue 12, M1)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let origin: string;
  let memberCookie: string;
  let outsiderCookie: string;
  let webhook: typeof import("./webhooks/github/route").POST;
  let rebuild: typeof import("./projects/[slug]/builds/[number]/rebuild/route").POST;
  let backupNow: typeof import("./projects/[slug]/backups/route").POST;

  const post = (url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) =>
    new Request(url, { method: "POST", body, headers: { origin, ...headers }, duplex: "half" } as RequestInit);

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    process.env.DATABASE_URL = db.url;
    const { deps } = await import("../../server/deps");
    prisma = deps().prisma;
    origin = new URL(deps().config.web.publicUrl).origin;
    webhook = (await import("./webhooks/github/route")).POST;
    rebuild = (await import("./projects/[slug]/builds/[number]/rebuild/route")).POST;
    backupNow = (await import("./projects/[slug]/backups/route")).POST;
    const sessions = createSessionRepository({ prisma });
    const login = async (name: string) => {
      const user = await prisma.user.create({ data: { login: name } });
      const token = generateSessionToken();
      await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
      return { user, cookie: `${SESSION_COOKIE}=${token}` };
    };
    const member = await login("body-admin");
    const outsider = await login("body-outsider");
    memberCookie = member.cookie;
    outsiderCookie = outsider.cookie;
    const project = await insertProject(prisma, {
      slug: "bodies",
      name: "Bodies",
      repoUrl: "/srv/git/bodies.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: member.user.id,
    });
    await prisma.collaborator.upsert({
      where: { projectId_userId: { projectId: project.id, userId: member.user.id } },
      create: { projectId: project.id, userId: member.user.id, role: "admin" },
      update: { role: "admin" },
    });
    await recordPush(prisma, { projectId: project.id, branch: "main", revision: "a".repeat(40) });
  });

  afterAll(async () => {
    const { deps } = await import("../../server/deps");
    deps().redis.disconnect();
    await deps()
      .queues.close()
      .catch(() => undefined);
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("stops a 40 MiB chunked webhook body at 5 MB (413) instead of buffering it", async () => {
    const { stream, pulled } = flood();
    const res = await webhook(
      post("http://127.0.0.1/api/webhooks/github", stream, { "x-github-event": "push", "x-github-delivery": "big-1" }),
    );
    expect(res.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(5 * MiB + 2 * CHUNK);
  });

  it("refuses build actions of viewers who may not act before reading a byte, and caps the others' bodies", async () => {
    const params = (number: string) => ({ params: Promise.resolve({ slug: "bodies", number }) });
    const anonymous = flood();
    expect((await rebuild(post("http://127.0.0.1/api/projects/bodies/builds/1/rebuild", anonymous.stream, {}), params("1"))).status).toBe(
      401,
    );
    expect(anonymous.pulled()).toBeLessThanOrEqual(CHUNK);
    const outsider = flood();
    expect(
      (
        await rebuild(
          post("http://127.0.0.1/api/projects/bodies/builds/1/rebuild", outsider.stream, { cookie: outsiderCookie }),
          params("1"),
        )
      ).status,
    ).toBe(404);
    expect(outsider.pulled()).toBeLessThanOrEqual(CHUNK);
    const member = flood();
    expect(
      (await rebuild(post("http://127.0.0.1/api/projects/bodies/builds/1/rebuild", member.stream, { cookie: memberCookie }), params("1")))
        .status,
    ).toBe(413);
    expect(member.pulled()).toBeLessThanOrEqual(4096 + 2 * CHUNK);
  });

  it("reads a backup action's JSON only for a viewer of the project, never past 16 KiB", async () => {
    const params = { params: Promise.resolve({ slug: "bodies" }) };
    const outsider = flood();
    expect(
      (await backupNow(post("http://127.0.0.1/api/projects/bodies/backups", outsider.stream, { cookie: outsiderCookie }), params)).status,
    ).toBe(404);
    expect(outsider.pulled()).toBeLessThanOrEqual(CHUNK);
    const member = flood();
    expect(
      (await backupNow(post("http://127.0.0.1/api/projects/bodies/backups", member.stream, { cookie: memberCookie }), params)).status,
    ).toBe(413);
    expect(member.pulled()).toBeLessThanOrEqual(16 * 1024 + 2 * CHUNK);
  });
});
