// Issue 17 items 5 and 6 through the real worker (BullMQ workers on a private Redis, the real job
// handlers, real builds on the Odoo stand-in) against the GitHub double: every stage's build posts
// `pending` then its verdict on the built commit (context slipway/<stage>, target_url = the build
// page under SLIPWAY_PUBLIC_URL); GitHub failing the post is retried and never changes the
// verdict; failing for good is shown on the build page; merges of a GitHub project go through the
// merge API (201 merged, 204 nothing, 409 conflict reported as today). No token in logs, events or
// audit entries.
import { Writable } from "node:stream";
import { randomUUID } from "node:crypto";
import { encryptSecret } from "@slipway/config";
import { findLatestCommitStatus, findMergeOutcome, recordPush } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import { createRedisConnection, enqueue, startWorkers, type RunningWorkers } from "@slipway/queue";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../e2e/support/github-double";
import { failStatusPosts, mergesOf, setMergeOutcome, statusesOf } from "../../../../e2e/support/github-double/statuses-and-merges";
import { createJobHandlers } from "../jobs/handlers";
import { startPrivateRedis, type PrivateRedis } from "../recovery/testing/fault-services";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { waitFor } from "../testing/wait-for";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const PUBLIC_URL = "https://slipway.example.test";
const REPO = "acme/shop";
let redis: PrivateRedis;
let double: GithubDouble;
let h: PipelineHarness;
let connection: Redis;
let workers: RunningWorkers;
let token: string;
let appPem = "";
const logLines: string[] = [];

beforeAll(async () => {
  double = await startGithubDouble();
  double.addUser({ id: 4242, login: "acme" });
  double.addRepo({ owner: "acme", name: "shop", private: true });
  token = double.issueToken("acme");
  redis = await startPrivateRedis();
  h = await createPipelineHarness({
    prefix: "ghst",
    image,
    env: { ...process.env, REDIS_URL: redis.url, SLIPWAY_GITHUB_API_URL: double.url, SLIPWAY_PUBLIC_URL: PUBLIC_URL },
  });
  // Every log line the worker writes, to check that no credential is in one.
  h.deps.logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString("utf8"));
        done();
      },
    }),
  );
  // The repository stays a local one (the builds fetch it); the project is GitHub's acme/shop with a token.
  await h.prisma.project.update({
    where: { id: h.projectId },
    data: {
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop",
      githubTokenEnc: encryptSecret(token, h.deps.config.encryptionKey),
    },
  });
  connection = createRedisConnection({ url: redis.url, role: "worker", name: "slipway-test-commit-status" });
  workers = startWorkers({ connection, handlers: createJobHandlers(h.deps) });
}, 300_000);

afterAll(async () => {
  await workers?.close({ graceMs: 30_000 }).catch(() => undefined);
  await connection?.quit().catch(() => undefined);
  await h?.close().catch(() => undefined);
  await redis?.close();
  await double?.close();
}, 300_000);

/** Pushes `addon` to `branch` at `stage` and lets the worker build it (the webhook path: recordPush, then build.run). */
async function pushAndBuildThroughWorker(branch: string, stage: Stage, addon: string) {
  await h.prisma.branch.upsert({
    where: { projectId_name: { projectId: h.projectId, name: branch } },
    create: { projectId: h.projectId, name: branch, stage, productionSlot: stage === "production" ? true : null },
    update: {},
  });
  const revision = h.repo.push(branch, fixtureAddon(addon));
  const outcome = await recordPush(h.prisma, { projectId: h.projectId, branch, revision, message: `push to ${branch}`, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await enqueue(h.deps.queues, "build.run", { buildId: outcome.build.id });
  const id = outcome.build.id;
  return waitFor(
    `build of ${branch} to end`,
    async () => {
      const b = await h.prisma.build.findUniqueOrThrow({ where: { id } });
      return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
    },
    240_000,
  );
}

const statesOn = (sha: string) => statusesOf(double.state, REPO, sha).map((s) => `${s.context} ${s.state}`);
const buildPage = (number: number) => `${PUBLIC_URL}/projects/${h.slug}/builds/${number}`;

describe("GitHub commit statuses of builds", () => {
  it("production, staging and development builds post pending, then their verdict, with their stage's context and build page", async () => {
    const production = await pushAndBuildThroughWorker("main", "production", "green_addon");
    expect(production).toMatchObject({ state: "running", result: "green" });
    await waitFor("production statuses", async () => statesOn(production.revision).length >= 2, 30_000);
    const staging = await pushAndBuildThroughWorker("staging-1", "staging", "green_addon");
    expect(staging).toMatchObject({ state: "running", result: "green" });
    const development = await pushAndBuildThroughWorker("feature", "development", "failing_addon");
    // Red tests on an installed database: the server runs, the verdict is red.
    expect(development).toMatchObject({ state: "running", result: "red" });
    for (const b of [staging, development]) await waitFor(`statuses of #${b.number}`, async () => statesOn(b.revision).length >= 2, 30_000);

    const expected: [typeof production, Stage, string, RegExp][] = [
      [production, "production", "success", /^Build #\d+ passed in \d/],
      [staging, "staging", "success", /^Build #\d+ passed in \d/],
      [development, "development", "failure", /^Build #\d+ failed in \d+.*: /],
    ];
    for (const [build, stage, final, description] of expected) {
      const posted = statusesOf(double.state, REPO, build.revision).filter((s) => s.context === `slipway/${stage}`);
      expect(posted.map((s) => s.state)).toEqual(["pending", final]);
      expect(posted.map((s) => s.target_url)).toEqual([buildPage(build.number), buildPage(build.number)]);
      expect(posted[0]!.description).toBe(`Build #${build.number} is building`);
      expect(posted[1]!.description).toMatch(description);
      expect((await findLatestCommitStatus(h.prisma, build.id))?.ok).toBe(true);
    }
    // The post went through Octokit with the project's token: the double logged its fingerprint, not the token.
    const posts = double.state.log.filter((r) => r.method === "POST" && r.path.includes("/statuses/"));
    expect(posts.length).toBeGreaterThanOrEqual(6);
    for (const p of posts) expect(p.auth).toMatch(/^token:[0-9a-f]{8}$/);
  }, 600_000);

  it("retries when GitHub answers 500, and the build's verdict is its own (yellow stays yellow: success 'passed with warnings')", async () => {
    // The verdict's post fails twice: its job is retried with backoff. (Failing the pending post
    // instead would race the build: a pending still being retried when the verdict is posted is
    // skipped, by design, so that it cannot hide the verdict.)
    failStatusPosts(double.state, REPO, 2, 500, "success");
    const build = await pushAndBuildThroughWorker("warnings", "development", "warning_addon");
    expect(build).toMatchObject({ state: "running", result: "yellow" });
    await waitFor("the verdict despite the 500s", async () => statesOn(build.revision).includes("slipway/development success"), 60_000);
    const posted = statusesOf(double.state, REPO, build.revision);
    expect(posted.map((s) => s.state)).toEqual(["pending", "success"]);
    expect(posted[1]!.description).toMatch(/passed with warnings/);
    const answers = double.state.log.filter(
      (r) =>
        r.method === "POST" &&
        r.path === `/repos/${REPO}/statuses/${build.revision}` &&
        (r.body as { state?: string } | undefined)?.state === "success",
    );
    expect(answers.map((r) => r.status)).toEqual([500, 500, 201]);
    expect(await h.prisma.build.findUniqueOrThrow({ where: { id: build.id } })).toMatchObject({ state: "running", result: "yellow" });
  }, 300_000);

  it("failing for good is shown on the build page and leaves the verdict alone", async () => {
    failStatusPosts(double.state, REPO, Number.POSITIVE_INFINITY, 502);
    const build = await pushAndBuildThroughWorker("down", "development", "green_addon");
    expect(build).toMatchObject({ state: "running", result: "green" });
    const line = await waitFor(
      "the failure on the build page",
      async () => {
        const l = await findLatestCommitStatus(h.prisma, build.id);
        return l && !l.ok && l.state === "success" ? l : null;
      },
      60_000,
    );
    expect(line.message).toMatch(/GitHub commit status "success" \(slipway\/development\) could not be posted after 5 attempts: 502/);
    expect(statesOn(build.revision)).toEqual([]);
    expect(await h.prisma.build.findUniqueOrThrow({ where: { id: build.id } })).toMatchObject({ state: "running", result: "green" });
    failStatusPosts(double.state, REPO, 0);
  }, 300_000);
});

describe("through the platform's GitHub App", () => {
  it("posts with an installation token when the App is installed on the repository, the project's token removed", async () => {
    const app = double.createApp("acme", "Slipway statuses");
    double.installApp(app.id, "acme", [REPO]);
    const key = h.deps.config.encryptionKey;
    await h.prisma.gitHubApp.create({
      data: {
        appId: app.id,
        slug: app.slug,
        name: app.name,
        ownerLogin: "acme",
        htmlUrl: app.html_url,
        clientId: app.client_id,
        clientSecretEnc: encryptSecret(app.client_secret, key),
        webhookSecretEnc: null,
        privateKeyEnc: encryptSecret(app.pem, key),
      },
    });
    appPem = app.pem;
    await h.prisma.project.update({ where: { id: h.projectId }, data: { githubTokenEnc: null } });
    const build = await pushAndBuildThroughWorker("via-app", "development", "green_addon");
    expect(build).toMatchObject({ state: "running", result: "green" });
    await waitFor("both statuses through the App", async () => statesOn(build.revision).length >= 2, 30_000);
    const posted = statusesOf(double.state, REPO, build.revision);
    expect(posted.map((s) => `${s.state} by ${s.creator}`)).toEqual([`pending by ${app.slug}[bot]`, `success by ${app.slug}[bot]`]);
  }, 300_000);
});

describe("merges of a GitHub project", () => {
  async function merge(source: string, target: string) {
    const [s, t, actor] = await Promise.all([
      h.prisma.branch.findFirstOrThrow({ where: { projectId: h.projectId, name: source } }),
      h.prisma.branch.findFirstOrThrow({ where: { projectId: h.projectId, name: target } }),
      h.prisma.user.findFirstOrThrow({ where: { login: "ada" } }),
    ]);
    const mergeId = randomUUID();
    await enqueue(h.deps.queues, "branch.merge", { mergeId, sourceBranchId: s.id, targetBranchId: t.id, actorId: actor.id, ip: null });
    return waitFor("the merge's outcome", () => findMergeOutcome(h.prisma, { projectId: h.projectId, mergeId }), 60_000);
  }

  it("merges a development branch into staging through the merge API; a conflict is reported as today; nothing to merge is up to date", async () => {
    const merged = await merge("feature", "staging-1");
    const asked = mergesOf(double.state, REPO);
    expect(asked.at(-1)).toMatchObject({ base: "staging-1", head: "feature", outcome: "merged" });
    expect(merged).toEqual({
      kind: "merged",
      from: "feature",
      into: "staging-1",
      revision: asked.at(-1)!.sha,
      previous: expect.any(String),
    });

    setMergeOutcome(double.state, REPO, "staging-1", "feature", "conflict");
    expect(await merge("feature", "staging-1")).toEqual({ kind: "conflict", from: "feature", into: "staging-1", files: [] });
    const conflict = await h.prisma.event.findFirstOrThrow({ where: { kind: "branch.merge_conflict" }, orderBy: { createdAt: "desc" } });
    expect(conflict.message).toMatch(
      /Merging feature into staging-1 by ada has a merge conflict \(reported by GitHub\); nothing was pushed/,
    );

    setMergeOutcome(double.state, REPO, "staging-1", "feature", "nothing");
    expect(await merge("feature", "staging-1")).toEqual({ kind: "up_to_date", from: "feature", into: "staging-1" });
    expect(mergesOf(double.state, REPO).map((m) => m.outcome)).toEqual(["merged", "conflict", "nothing"]);
  }, 120_000);

  it("never writes the token into a log line, an event or an audit entry", async () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(token))).toEqual([]);
    const events = await h.prisma.event.findMany({ where: { projectId: h.projectId } });
    const audit = await h.prisma.auditEntry.findMany({ where: { projectId: h.projectId } });
    expect(events.some((e) => e.kind === "github.status_failed")).toBe(true);
    expect(audit.some((a) => a.action === "branch.merge")).toBe(true);
    expect(JSON.stringify([events, audit])).not.toContain(token);
    // Nor the App's private key.
    const pemBody = appPem.split("\n")[1]!;
    expect(pemBody.length).toBeGreaterThan(40);
    expect(logLines.filter((l) => l.includes(pemBody))).toEqual([]);
    expect(JSON.stringify([events, audit])).not.toContain(pemBody);
  });
});
