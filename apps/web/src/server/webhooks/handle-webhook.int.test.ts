import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret } from "@slipway/config";
import { createPrismaClient, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { listRemoteBranches } from "@slipway/git";
import { signPayload } from "@slipway/github";
import { handleWebhook, type WebhookDeps } from "./handle-webhook";

const key = randomBytes(32);
const secret = "whsec-test";
let db: TemporaryDatabase;
let prisma: Db;
let deps: WebhookDeps;
const enqueued: string[] = [];
const logged: string[] = [];
const sha = (c: string) => c.repeat(40);

const push = (branch: string, after: string) =>
  JSON.stringify({
    ref: `refs/heads/${branch}`,
    before: sha("0"),
    after,
    repository: { full_name: "Acme/Addons" },
    head_commit: { id: after, message: "Work", author: { name: "Ada" } },
  });

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  const user = await prisma.user.create({ data: { login: "ada" } });
  await insertProject(prisma, {
    slug: "acme",
    name: "Acme",
    repoUrl: "https://github.com/acme/addons.git",
    repoKind: "github",
    githubOwner: "acme",
    githubRepo: "addons",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret(secret, key),
    creatorId: user.id,
  });
  deps = {
    prisma,
    encryptionKey: key,
    remoteHeads: (url) => listRemoteBranches({ url }),
    log: (m) => void logged.push(m),
    enqueueBuild: async (id) => void enqueued.push(id),
  };
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
    expect(await github(issue, { event: "issues" })).toMatchObject({
      status: 202,
      body: { ignored: 'event "issues" is not used by Slipway' },
    });
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
    const req = {
      source: "generic" as const,
      projectSlug: "acme",
      event: null,
      deliveryId: null,
      signature: signPayload(secret, body),
      body,
    };
    expect((await handleWebhook(deps, req)).status).toBe(202);
    expect(await handleWebhook(deps, req)).toEqual({ status: 200, body: { duplicate: true } });
    expect((await handleWebhook(deps, { ...req, projectSlug: "nope" })).status).toBe(401);
  });
});

describe("replayed and forced pushes never move a branch backwards (issue 12, H3)", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.org", ...args], { cwd, encoding: "utf8" }).trim();
  let dir: string;
  let bare: string;
  let work: string;
  const commits: Record<string, string> = {};

  const commit = (name: string) => {
    writeFileSync(path.join(work, "file.txt"), `${name}\n`);
    git(work, "add", ".");
    git(work, "commit", "-qm", name);
    commits[name] = git(work, "rev-parse", "HEAD");
    return commits[name];
  };
  const generic = (payload: Record<string, unknown>, delivery: string) => {
    const body = JSON.stringify({ ref: "refs/heads/main", ...payload });
    return handleWebhook(deps, {
      source: "generic",
      projectSlug: "replay",
      event: "push",
      deliveryId: delivery,
      signature: signPayload(secret, body),
      body,
    });
  };
  const head = async () => (await prisma.branch.findFirstOrThrow({ where: { project: { slug: "replay" }, name: "main" } })).headRevision;
  const builds = () => prisma.build.count({ where: { project: { slug: "replay" } } });
  const finishBuilds = () =>
    prisma.build.updateMany({ where: { project: { slug: "replay" } }, data: { state: "running", inProgressSlot: null } });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "slipway-webhook-replay-"));
    bare = path.join(dir, "repo.git");
    work = path.join(dir, "work");
    git(dir, "init", "-q", "--bare", "-b", "main", bare);
    git(dir, "init", "-q", "-b", "main", work);
    commit("A");
    commit("B");
    git(work, "push", "-q", bare, "main");
    const user = await prisma.user.findFirstOrThrow({ where: { login: "ada" } });
    await insertProject(prisma, {
      slug: "replay",
      name: "Replay",
      repoUrl: bare,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret(secret, key),
      creatorId: user.id,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers a captured push replayed under a new delivery id as a duplicate (same body)", async () => {
    const created = { before: sha("0"), after: commits.A };
    expect((await generic(created, "r-1")).status).toBe(202);
    await finishBuilds();
    const moved = { before: commits.A, after: commits.B };
    expect((await generic(moved, "r-2")).status).toBe(202);
    await finishBuilds();
    expect(await head()).toBe(commits.B);
    const count = await builds();
    expect(await generic(created, "r-3-new-id")).toEqual({ status: 200, body: { duplicate: true } });
    expect(await head()).toBe(commits.B);
    expect(await builds()).toBe(count);
  });

  it("refuses an old push whose `before` is not the recorded head and whose revision is not the repository's tip", async () => {
    const count = await builds();
    logged.length = 0;
    // Signed by the project's secret but never seen (its body differs): e.g. captured from elsewhere.
    const res = await generic({ before: sha("0"), after: commits.A, head_commit: { id: commits.A, message: "A again" } }, "r-4");
    expect(res.status).toBe(409);
    expect(await head()).toBe(commits.B);
    expect(await builds()).toBe(count);
    expect(logged.join("\n")).toMatch(/refused a stale or replayed push to replay\/main/);
    // Neither a push without `before`, nor a replayed deletion.
    expect((await generic({ after: commits.A }, "r-5")).status).toBe(409);
    expect((await generic({ before: commits.A, after: sha("0"), deleted: true }, "r-6")).status).toBe(409);
    expect(await head()).toBe(commits.B);
    const branch = await prisma.branch.findFirstOrThrow({ where: { project: { slug: "replay" }, name: "main" } });
    expect(branch.archivedAt).toBeNull();
    expect(await builds()).toBe(count);
    // Refused deliveries leave no trace: the genuine one can still arrive under its id.
    expect(await prisma.webhookDelivery.count({ where: { id: { in: ["generic:r-4", "generic:r-5", "generic:r-6"] } } })).toBe(0);
  });

  it("applies a forced push when the repository's tip confirms it, and logs it", async () => {
    git(work, "reset", "-q", "--hard", commits.A!);
    const forced = commit("C");
    git(work, "push", "-q", "--force", bare, "main");
    logged.length = 0;
    const count = await builds();
    // `before` as the sender saw it (not what Slipway recorded): a forced push after a missed delivery.
    const res = await generic({ before: sha("d"), after: forced }, "r-7");
    expect(res.status).toBe(202);
    expect(await head()).toBe(forced);
    expect(await builds()).toBe(count + 1);
    expect(logged.join("\n")).toMatch(/forced push to replay\/main .* verified against the repository's tip/);
    await finishBuilds();
    // The push it replaced cannot come back.
    expect((await generic({ before: commits.A, after: commits.B, head_commit: null }, "r-8")).status).toBe(409);
    expect(await head()).toBe(forced);
  });

  it("moves forward normally when `before` is the recorded head", async () => {
    const next = commit("D");
    git(work, "push", "-q", bare, "main");
    logged.length = 0;
    expect((await generic({ before: commits.C, after: next }, "r-9")).status).toBe(202);
    expect(await head()).toBe(next);
    expect(logged).toEqual([]);
  });

  it("applies a push of the revision already recorded (the poller saw it first) without asking the repository", async () => {
    await finishBuilds();
    const asked: string[] = [];
    const remoteHeads = deps.remoteHeads;
    deps.remoteHeads = async (url) => (asked.push(url), remoteHeads(url));
    try {
      const count = await builds();
      const res = await generic(
        { before: commits.C, after: commits.D, head_commit: { id: commits.D, message: "D, seen by the poller" } },
        "r-10",
      );
      expect(res.status).toBe(202);
      expect(await head()).toBe(commits.D);
      expect(await builds()).toBe(count + 1);
      expect(asked).toEqual([]);
    } finally {
      deps.remoteHeads = remoteHeads;
    }
  });
});
