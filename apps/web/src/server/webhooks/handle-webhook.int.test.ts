import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret } from "@slipway/config";
import { createPrismaClient, insertProject, type PrismaClient } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { signPayload } from "@slipway/github";
import { handleWebhook, type WebhookDeps } from "./handle-webhook";

const key = randomBytes(32);
const secret = "whsec-test";
let db: TemporaryDatabase;
let prisma: PrismaClient;
let deps: WebhookDeps;
const enqueued: string[] = [];
const sha = (c: string) => c.repeat(40);

const push = (branch: string, after: string) =>
  JSON.stringify({ ref: `refs/heads/${branch}`, before: sha("0"), after, repository: { full_name: "Acme/Addons" }, head_commit: { id: after, message: "Work", author: { name: "Ada" } } });

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  const user = await prisma.user.create({ data: { login: "ada" } });
  await insertProject(prisma, {
    slug: "acme", name: "Acme", repoUrl: "https://github.com/acme/addons.git", repoKind: "github", githubOwner: "acme", githubRepo: "addons",
    odooVersion: "17.0", odooImage: "odoo:17.0", baseDomain: "slipway.localhost", webhookSecretEnc: encryptSecret(secret, key), creatorId: user.id,
  });
  deps = { prisma, encryptionKey: key, enqueueBuild: async (id) => void enqueued.push(id) };
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const github = (body: string, headers: { event?: string; delivery?: string | null; signature?: string | null } = {}) =>
  handleWebhook(deps, {
    source: "github",
    event: headers.event ?? "push",
    deliveryId: headers.delivery === undefined ? "d-1" : headers.delivery,
    signature: headers.signature === undefined ? signPayload(secret, body) : headers.signature,
    body,
  });

describe("webhook handling against a real database", () => {
  it("refuses forged signatures and malformed bodies without writing anything", async () => {
    const body = push("main", sha("a"));
    expect((await github(body, { signature: signPayload("wrong", body) })).status).toBe(401);
    expect((await github(body, { signature: null })).status).toBe(401);
    expect((await github("{not json", { signature: signPayload(secret, "{not json") })).status).toBe(400);
    const bad = JSON.stringify({ ref: "refs/heads/main", after: "xyz", repository: { full_name: "acme/addons" } });
    expect((await github(bad)).status).toBe(400);
    expect((await github(body, { delivery: null })).status).toBe(400);
    expect(await prisma.branch.count()).toBe(0);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect(enqueued).toEqual([]);
  });

  it("acknowledges pings and ignores unknown events without writing", async () => {
    const ping = JSON.stringify({ zen: "Design for failure.", hook_id: 1, repository: { full_name: "acme/addons" } });
    expect(await github(ping, { event: "ping" })).toMatchObject({ status: 200 });
    const issue = JSON.stringify({ action: "opened", repository: { full_name: "acme/addons" } });
    expect(await github(issue, { event: "issues" })).toMatchObject({ status: 202, body: { ignored: 'event "issues" is not used by Slipway' } });
    expect(await prisma.webhookDelivery.count()).toBe(0);
  });

  it("builds a new branch once, however often the same delivery arrives", async () => {
    const body = push("feature/x", sha("b"));
    const first = await github(body, { delivery: "d-2" });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ branch: "feature/x", buildNumber: 1 });
    expect(await github(body, { delivery: "d-2" })).toEqual({ status: 200, body: { duplicate: true } });
    expect(await prisma.build.count()).toBe(1);
    expect(enqueued).toEqual([first.body.buildId]);
    const branch = await prisma.branch.findFirstOrThrow({ where: { name: "feature/x" } });
    expect(branch.stage).toBe("development");
  });

  it("serves the generic endpoint by project slug, with a body hash as delivery id when none is sent", async () => {
    const body = JSON.stringify({ ref: "refs/heads/gitea-branch", after: sha("c") });
    const req = { source: "generic" as const, projectSlug: "acme", event: null, deliveryId: null, signature: signPayload(secret, body), body };
    expect((await handleWebhook(deps, req)).status).toBe(202);
    expect(await handleWebhook(deps, req)).toEqual({ status: 200, body: { duplicate: true } });
    expect((await handleWebhook(deps, { ...req, projectSlug: "nope" })).status).toBe(401);
  });
});
