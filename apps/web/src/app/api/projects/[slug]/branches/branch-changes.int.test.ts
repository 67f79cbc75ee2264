import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSessionRepository, insertProject, listBranchesByStage, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { loadWorkerConfig } from "@slipway/config";
import { createQueues, type Queues } from "@slipway/queue";
import { createWorkerDeps, mergeBranchJob, type WorkerDeps } from "@slipway/worker/testing";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "@/server/auth/session-policy";
import { SESSION_COOKIE } from "@/server/auth/session-cookie";

// Stage moves, merges and pins through the REAL route handlers: a real session cookie, the real
// access module, PostgreSQL, Redis (queues under a test prefix) and a real local bare repository.
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !process.env.REDIS_URL)
  throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

const ORIGIN = "http://127.0.0.1:3000";
const slug = `moves-${randomBytes(3).toString("hex")}`;
const gitc = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.org", ...args], { cwd, encoding: "utf8" }).trim();

let db: TemporaryDatabase;
let prisma: Db;
let queues: Queues;
let dir: string;
let bare: string;
let projectId: string;
let worker: WorkerDeps;
const cookies: Record<"admin" | "tester" | "developer", string> = { admin: "", tester: "", developer: "" };
let routes: {
  stage: typeof import("./[branch]/stage/route").POST;
  merge: typeof import("./[branch]/merge/route").POST;
  pin: typeof import("./[branch]/pin/route").POST;
};

type Who = keyof typeof cookies | null;
async function call(
  kind: keyof typeof routes,
  branch: string,
  body: unknown,
  who: Who = "admin",
  headers: Record<string, string> = { origin: ORIGIN },
) {
  const request = new Request(`${ORIGIN}/api/projects/${slug}/branches/${encodeURIComponent(branch)}/${kind}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers, ...(who ? { cookie: cookies[who] } : {}) },
    body: JSON.stringify(body),
  });
  const response = await routes[kind](request, { params: Promise.resolve({ slug, branch }) });
  return {
    status: response.status,
    json: (await response.json()) as {
      error?: { code: string; message: string; reason?: string; files?: string[] };
      plan?: unknown;
      build?: { number: number } | null;
      mergeId?: string;
      outcome?: { kind: string; revision?: string };
    },
  };
}
const move = (branch: string, stage: string, who: Who = "admin") => call("stage", branch, { stage }, who);

/**
 * A merge as the user sees it: the route queues the worker's merge job; the job the route queued
 * runs here as the worker would run it; then the merge's status answers with its outcome.
 */
async function merge(branch: string, body: { into: string; confirm?: boolean }, who: Who = "admin") {
  const started = await call("merge", branch, body, who);
  if (started.status !== 200) return started;
  const control = queues.get("control");
  const job = (await control.getJobs(["waiting", "prioritized", "delayed"])).find(
    (j) => j.name === "branch.merge" && j.data.mergeId === started.json.mergeId,
  );
  if (!job) throw new Error("the merge route queued no branch.merge job");
  await job.remove();
  await mergeBranchJob(worker, job.data);
  const url = `${ORIGIN}/api/projects/${slug}/branches/${encodeURIComponent(branch)}/merge?id=${started.json.mergeId}`;
  const request = new Request(url, { headers: who ? { cookie: cookies[who] } : {} });
  const response = await (await import("./[branch]/merge/route")).GET(request, { params: Promise.resolve({ slug, branch }) });
  return { status: response.status, json: (await response.json()) as Awaited<ReturnType<typeof call>>["json"] };
}
const branchRow = (name: string) => prisma.branch.findFirstOrThrow({ where: { projectId, name } });
const head = (branch: string) => gitc(dir, "--git-dir", bare, "rev-parse", `refs/heads/${branch}`);

/** Sets the project's branches to exactly these stages (production gets the slot). */
async function stages(layout: Record<string, "production" | "staging" | "development">) {
  await prisma.branch.updateMany({ where: { projectId }, data: { stage: "development", productionSlot: null, pushBehavior: "new_build" } });
  for (const [name, stage] of Object.entries(layout)) {
    await prisma.branch.update({
      where: { projectId_name: { projectId, name } },
      data: { stage, productionSlot: stage === "production" ? true : null },
    });
  }
}

function commit(branch: string, files: Record<string, string>, from = "main") {
  const work = mkdtempSync(path.join(dir, "w-"));
  gitc(work, "clone", "-q", bare, ".");
  const exists = gitc(work, "ls-remote", "--heads", "origin", branch) !== "";
  gitc(work, "checkout", "-q", ...(exists ? [branch] : ["-b", branch, `origin/${from}`]));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(work, name), content);
  gitc(work, "add", ".");
  gitc(work, "commit", "-qm", `edit on ${branch}`);
  gitc(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`);
  rmSync(work, { recursive: true, force: true });
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl });
  process.env.DATABASE_URL = db.url;
  const { deps } = await import("@/server/deps");
  prisma = deps().prisma;
  // Real BullMQ queues under a prefix of their own, so a worker running on this machine never sees the jobs.
  queues = createQueues({ connection: deps().redis, prefix: `slipway-test-${randomBytes(4).toString("hex")}` });
  Object.assign(deps(), { queues });
  worker = { ...createWorkerDeps({ config: loadWorkerConfig({ ...process.env }), logger: pino({ level: "silent" }) }), queues };
  routes = {
    stage: (await import("./[branch]/stage/route")).POST,
    merge: (await import("./[branch]/merge/route")).POST,
    pin: (await import("./[branch]/pin/route")).POST,
  };

  dir = mkdtempSync(path.join(tmpdir(), "slipway-moves-"));
  bare = path.join(dir, "repo.git");
  gitc(dir, "init", "-q", "--bare", "-b", "main", bare);
  const init = path.join(dir, "init");
  gitc(dir, "init", "-q", "-b", "main", init);
  writeFileSync(path.join(init, "shared.txt"), "base\n");
  gitc(init, "add", ".");
  gitc(init, "commit", "-qm", "initial");
  gitc(init, "push", "-q", bare, "main");

  const sessions = createSessionRepository({ prisma });
  const login = async (name: string) => {
    const user = await prisma.user.create({ data: { login: name } });
    const token = generateSessionToken();
    await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    return { user, cookie: `${SESSION_COOKIE}=${token}` };
  };
  const admin = await login("ada");
  const tester = await login("tess");
  const developer = await login("dev");
  Object.assign(cookies, { admin: admin.cookie, tester: tester.cookie, developer: developer.cookie });
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Moves",
      repoUrl: bare,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: admin.user.id,
    })
  ).id;
  await prisma.collaborator.createMany({
    data: [
      { projectId, userId: tester.user.id, role: "tester" },
      { projectId, userId: developer.user.id, role: "developer" },
    ],
  });
  for (const name of ["main", "uat", "feat", "other"]) await prisma.branch.create({ data: { projectId, name } });
});

afterAll(async () => {
  const { deps } = await import("@/server/deps");
  for (const name of ["control", "builds"] as const)
    await queues
      ?.get(name)
      .obliterate({ force: true })
      .catch(() => undefined);
  await queues?.close().catch(() => undefined);
  await worker?.redis.quit().catch(() => undefined);
  deps().redis.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("POST /api/projects/[slug]/branches/[branch]/stage — every move of docs/product/stages-and-branches.md", () => {
  beforeEach(() => stages({ main: "production", uat: "staging" }));

  it("development → staging is allowed, recorded in the branch history and the audit log", async () => {
    const res = await move("feat", "staging");
    expect(res.status).toBe(200);
    expect(res.json.plan).toEqual({ kind: "move", branch: "feat", from: "development", to: "staging" });
    expect(await branchRow("feat")).toMatchObject({ stage: "staging", productionSlot: null, pushBehavior: "new_build" });
    const event = await prisma.event.findFirstOrThrow({
      where: { branch: { name: "feat" }, kind: "branch.stage_move" },
      orderBy: { createdAt: "desc" },
    });
    expect(event.message).toBe("Moved from Development to Staging by ada.");
    const audit = await prisma.auditEntry.findFirstOrThrow({
      where: { projectId, action: "stage.move", target: "feat" },
      include: { actor: true },
    });
    expect(audit.actor?.login).toBe("ada");
    expect(audit.details).toEqual({ from: "development", to: "staging" });
  });

  it("development → production is refused (409) with the message while a production branch exists", async () => {
    const res = await move("feat", "production");
    expect(res.status).toBe(409);
    expect(res.json.error?.message).toContain("exactly one production branch");
    expect(res.json.error?.message).toContain('merge it into "main"');
    expect((await branchRow("feat")).stage).toBe("development");
  });

  it("development → production is allowed when the project has no production branch (the slot follows)", async () => {
    await stages({ uat: "staging" });
    const res = await move("feat", "production");
    expect(res.status).toBe(200);
    expect(await branchRow("feat")).toMatchObject({ stage: "production", productionSlot: true });
  });

  it("staging → development is allowed and sets push behaviour to 'do nothing'", async () => {
    const res = await move("uat", "development");
    expect(res.status).toBe(200);
    expect(await branchRow("uat")).toMatchObject({ stage: "development", pushBehavior: "do_nothing" });
    const event = await prisma.event.findFirstOrThrow({
      where: { branch: { name: "uat" }, kind: "branch.stage_move" },
      orderBy: { createdAt: "desc" },
    });
    expect(event.message).toContain('Push behaviour set to "do nothing"');
  });

  it("staging → production is refused (400): merge instead", async () => {
    const res = await move("uat", "production");
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toMatch(/cannot become the production branch.*merge it into "main"/s);
    expect((await branchRow("uat")).stage).toBe("staging");
  });

  it("production → development is allowed and frees the production slot", async () => {
    const res = await move("main", "development");
    expect(res.status).toBe(200);
    expect(await branchRow("main")).toMatchObject({ stage: "development", productionSlot: null });
    expect(await prisma.branch.count({ where: { projectId, stage: "production" } })).toBe(0);
  });

  it("production → staging is refused (400): production only moves to development or merges", async () => {
    const res = await move("main", "staging");
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toContain("only be moved to Development");
    expect((await branchRow("main")).stage).toBe("production");
  });

  it("a move to the branch's own stage is refused (400)", async () => {
    const res = await move("uat", "staging");
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toContain("already in Staging");
  });

  it("a move to staging or production starts the new stage's build (startBuild); the board shows only the current stage's build", async () => {
    const revision = head("main");
    const shipit = await prisma.branch.create({ data: { projectId, name: "shipit", headRevision: revision } });
    const builds = () => prisma.build.findMany({ where: { branchId: shipit.id }, orderBy: { number: "asc" } });
    const end = (id: string) => prisma.build.update({ where: { id }, data: { state: "running", result: "green", inProgressSlot: null } });
    const card = async () => {
      const byStage = await listBranchesByStage(prisma, { projectId });
      const row = Object.values(byStage)
        .flat()
        .find((b) => b.name === "shipit");
      return row?.builds.map((b) => [b.number, b.stage]);
    };

    const staged = await move("shipit", "staging");
    expect(staged.status).toBe(200);
    const [first] = await builds();
    expect(first).toMatchObject({ stage: "staging", state: "queued", revision, number: staged.json.build?.number });
    const waiting = async () => (await queues.get("builds").getJobs(["waiting", "prioritized", "delayed"])).map((j) => j.data);
    expect(await waiting()).toContainEqual({ buildId: first!.id });
    expect((await prisma.event.findFirstOrThrow({ where: { branchId: shipit.id, kind: "build.stage" } })).message).toBe(
      `Build #${first!.number} of ${revision.slice(0, 8)} queued: the branch is now in Staging.`,
    );
    await end(first!.id);
    expect(await card()).toEqual([[first!.number, "staging"]]);

    // Back to development: no build starts, and the staging build is not the development card's.
    expect((await move("shipit", "development")).json.build).toBeNull();
    expect(await builds()).toHaveLength(1);
    expect(await card()).toEqual([]);

    // To production (the project has none): a production build, not the old build shown as production's.
    await stages({ uat: "staging" });
    const promoted = await move("shipit", "production");
    expect(promoted.status).toBe(200);
    const second = (await builds())[1];
    expect(second).toMatchObject({ stage: "production", state: "queued", revision, number: promoted.json.build?.number });
    expect(await waiting()).toContainEqual({ buildId: second!.id });
    expect(await card()).toEqual([[second!.number, "production"]]);
    await end(second!.id);

    // A build of the old stage still in progress keeps its slot: the move queues nothing (its end
    // starts the new stage's build), and the card shows that build meanwhile.
    await stages({ main: "production", uat: "staging" });
    const busy = await prisma.build.create({
      data: { projectId, branchId: shipit.id, number: 9000, stage: "development", revision, state: "fetching", inProgressSlot: true },
    });
    expect(await card()).toEqual([[9000, "development"]]);
    const moved = await move("shipit", "staging");
    expect(moved.status).toBe(200);
    expect(moved.json.build).toBeNull();
    expect(await card()).toEqual([[9000, "development"]]);
    await prisma.build.update({ where: { id: busy.id }, data: { state: "cancelled", inProgressSlot: null } });
    expect(await card()).toEqual([[first!.number, "staging"]]);
    await prisma.branch.update({ where: { id: shipit.id }, data: { archivedAt: new Date(), stage: "development", productionSlot: null } });
  });

  it("checks roles: production moves are admin-only, staging needs tester or admin", async () => {
    expect((await move("main", "development", "tester")).status).toBe(403);
    const dev = await move("feat", "staging", "developer");
    expect(dev.status).toBe(403);
    expect(dev.json.error?.message).toContain("developer");
    expect((await move("feat", "staging", "tester")).status).toBe(200);
    expect((await branchRow("main")).stage).toBe("production");
  });

  it("refuses anonymous (401), cross-site (403), unknown branches (404) and bad bodies (400)", async () => {
    expect((await move("feat", "staging", null)).status).toBe(401);
    expect((await call("stage", "feat", { stage: "staging" }, "admin", { origin: "https://evil.example" })).status).toBe(403);
    expect((await move("nope", "staging")).status).toBe(404);
    expect((await move("feat", "qa")).status).toBe(400);
    expect((await branchRow("feat")).stage).toBe("development");
  });
});

describe("POST …/merge — drop a branch onto another (real local bare repository)", () => {
  beforeAll(async () => {
    await stages({ main: "production", uat: "staging", other: "staging" });
    commit("uat", { "uat.txt": "validated\n" });
    commit("feat", { "feat.txt": "feature\n" });
    commit("other", { "shared.txt": "theirs\n" });
    commit("main", { "shared.txt": "ours\n" });
  });

  it("merges staging into production and pushes: the target's head moves, history, audit and a poll", async () => {
    const before = head("main");
    const res = await merge("uat", { into: "main" });
    expect(res.status).toBe(200);
    expect(res.json.outcome?.kind).toBe("merged");
    const after = head("main");
    expect(after).not.toBe(before);
    expect(after).toBe(res.json.outcome?.revision);
    expect(gitc(dir, "--git-dir", bare, "rev-parse", `${after}^1`)).toBe(before);
    expect(gitc(dir, "--git-dir", bare, "rev-parse", `${after}^2`)).toBe(head("uat"));
    const event = await prisma.event.findFirstOrThrow({ where: { branch: { name: "main" }, kind: "branch.merge" } });
    expect(event.message).toMatch(/^Merged uat into main \([0-9a-f]{12}\) by ada\.$/);
    expect(await prisma.event.count({ where: { branch: { name: "uat" }, kind: "branch.merged_into" } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { projectId, action: "branch.merge", target: "uat → main" } })).toBe(1);
    const jobs = await queues.get("control").getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs.map((j) => [j.name, j.data])).toContainEqual(["branch.poll", { projectId }]);
  });

  it("reports a conflict with the file, pushes nothing and records it in the target's history", async () => {
    const before = head("main");
    const res = await merge("other", { into: "main" });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: "conflict", reason: "merge_conflict", files: ["shared.txt"] });
    expect(res.json.error?.message).toContain("conflicts in: shared.txt");
    expect(head("main")).toBe(before);
    expect(await prisma.event.count({ where: { branch: { name: "main" }, kind: "branch.merge_conflict" } })).toBe(1);
  });

  it("asks to confirm a development branch dropped straight onto production, then merges", async () => {
    const before = head("main");
    const first = await merge("feat", { into: "main" });
    expect(first.status).toBe(409);
    expect(first.json.error?.reason).toBe("confirmation_required");
    expect(first.json.error?.message).toContain("production data");
    expect(head("main")).toBe(before);
    const confirmed = await merge("feat", { into: "main", confirm: true });
    expect(confirmed.status).toBe(200);
    expect(head("main")).not.toBe(before);
  });

  it("refuses merges into production to non-admins and a branch onto itself", async () => {
    expect((await merge("uat", { into: "main" }, "tester")).status).toBe(403);
    expect((await merge("feat", { into: "uat" }, "developer")).status).toBe(403);
    const self = await merge("feat", { into: "feat" });
    expect(self.status).toBe(400);
    expect(self.json.error?.message).toContain("cannot be merged into itself");
  });
});

describe("POST …/pin", () => {
  it("pins and unpins a branch (history + audit); developers may pin development branches only", async () => {
    await stages({ main: "production", uat: "staging" });
    expect((await call("pin", "feat", { pinned: true }, "developer")).status).toBe(200);
    expect((await branchRow("feat")).pinned).toBe(true);
    expect((await call("pin", "uat", { pinned: true }, "developer")).status).toBe(403);
    expect((await call("pin", "feat", { pinned: false })).status).toBe(200);
    expect((await branchRow("feat")).pinned).toBe(false);
    expect(await prisma.event.count({ where: { branch: { name: "feat" }, kind: { in: ["branch.pin", "branch.unpin"] } } })).toBe(2);
    expect(await prisma.auditEntry.count({ where: { projectId, action: { in: ["branch.pin", "branch.unpin"] } } })).toBe(2);
  });
});
