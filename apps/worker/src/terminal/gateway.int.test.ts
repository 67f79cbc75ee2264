import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { encryptSecret, issueShellTicket, loadWorkerConfig, shellTicketKey } from "@slipway/config";
import { insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createAndStart, removeContainers } from "@slipway/docker";
import { formatTerminalResume, TERMINAL_CLOSE, type TerminalResume } from "@slipway/domain";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { startTerminalGateway, type TerminalGateway } from "./gateway";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";

// The terminal gateway against real PostgreSQL, Redis and Docker: a stand-in Odoo container plays
// the build's server. Refusals must come from the socket itself, before any exec is started.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const TEST_LABEL = { test: "terminal-gateway" };
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let gateway: TerminalGateway;
let idleGateway: TerminalGateway;
let shortResumeGateway: TerminalGateway;
const users: Record<"admin" | "admin2" | "tester" | "developer", string> = { admin: "", admin2: "", tester: "", developer: "" };
let projectId = "";
let buildId = "";
const databaseName = `term_${randomBytes(3).toString("hex")}`;

function ticketFor(userId: string | null, build = buildId, key = shellTicketKey(deps.config.encryptionKey)): string {
  return issueShellTicket({ key, userId, buildId: build }).ticket;
}

interface Outcome {
  code: number;
  reason: string;
  output: string;
}

/** Connects, sends `input` once open, and resolves when the socket closes or `until` matches. */
function connect(g: TerminalGateway, ticket: string, opts: { input?: string[]; until?: RegExp; close?: boolean } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${g.port}/terminal?ticket=${encodeURIComponent(ticket)}&cols=100&rows=30`);
    let output = "";
    const timer = setTimeout(() => reject(new Error(`timed out; output so far: ${output}`)), 15_000);
    ws.on("open", () => {
      for (const d of opts.input ?? []) ws.send(JSON.stringify({ t: "in", d }));
    });
    ws.on("message", (data, isBinary) => {
      output += isBinary ? data.toString("utf8") : "";
      if (opts.until?.test(output) && opts.close !== false) ws.close(1000);
    });
    ws.on("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), output });
    });
    ws.on("error", () => undefined);
  });
}

/** A shell kept open: resolves once the shell echoed `ready` (the session is running), or with the refusal. */
function openShell(
  g: TerminalGateway,
  ticket: string,
  localAddress: string,
): Promise<{ ws: WebSocket; closed: Promise<Outcome> } | { refused: Outcome }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${g.port}/terminal?ticket=${encodeURIComponent(ticket)}&cols=80&rows=24`, { localAddress });
    let output = "";
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`timed out; output so far: ${output}`)), 15_000);
    let closed!: (o: Outcome) => void;
    const closedPromise = new Promise<Outcome>((r) => (closed = r));
    ws.on("open", () => ws.send(JSON.stringify({ t: "in", d: "echo rea''dy\r" })));
    ws.on("message", (data, isBinary) => {
      output += isBinary ? data.toString("utf8") : "";
      if (!ready && /ready/.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolve({ ws, closed: closedPromise });
      }
    });
    ws.on("close", (code, reason) => {
      const outcome = { code, reason: reason.toString(), output };
      closed(outcome);
      if (!ready) {
        clearTimeout(timer);
        resolve({ refused: outcome });
      }
    });
    ws.on("error", () => undefined);
  });
}

async function auditRows(action: string) {
  return prisma.auditEntry.findMany({ where: { action, target: `build:${buildId}` }, orderBy: { createdAt: "asc" } });
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  for (const role of ["admin", "admin2", "tester", "developer"] as const)
    users[role] = (await prisma.user.create({ data: { login: `${role}-${randomBytes(2).toString("hex")}` } })).id;
  const project = await insertProject(prisma, {
    slug: `term${randomBytes(3).toString("hex")}`,
    name: "Terminal",
    repoUrl: "/nowhere",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: image,
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret("s", config.encryptionKey),
    creatorId: users.admin,
  });
  projectId = project.id;
  await prisma.collaborator.createMany({
    data: [
      { projectId, userId: users.tester, role: "tester" },
      { projectId, userId: users.developer, role: "developer" },
      { projectId, userId: users.admin2, role: "admin" },
    ],
  });
  const branch = await prisma.branch.create({ data: { projectId, name: "main", stage: "production", productionSlot: true } });
  buildId = randomUUID();
  const containerName = `slipway-test-term-${randomBytes(3).toString("hex")}`;
  await createAndStart({
    docker: deps.docker,
    spec: {
      name: containerName,
      image,
      entrypoint: ["sleep"],
      cmd: ["infinity"],
      labels: { role: "odoo-server", build: buildId, project: projectId, ...TEST_LABEL },
    },
  });
  await prisma.build.create({
    data: {
      id: buildId,
      projectId,
      branchId: branch.id,
      number: 1,
      stage: "production",
      revision: "a".repeat(40),
      state: "running",
      inProgressSlot: null,
      containerName,
      databaseName,
    },
  });
  gateway = await startTerminalGateway({ deps, host: "127.0.0.1", port: 0 });
  idleGateway = await startTerminalGateway({ deps, host: "127.0.0.1", port: 0, idleMs: 400 });
  shortResumeGateway = await startTerminalGateway({ deps, host: "127.0.0.1", port: 0, resumeMs: 300 });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await idleGateway?.close();
  await shortResumeGateway?.close();
  if (deps) {
    await removeContainers({ docker: deps.docker, labels: TEST_LABEL }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
  }
  await db?.drop();
});

describe("terminal gateway", () => {
  it("refuses a tester's production shell by the socket itself: 1008, no exec started", async () => {
    const before = gateway.stats();
    const r = await connect(gateway, ticketFor(users.tester));
    expect(r.code).toBe(TERMINAL_CLOSE.policy);
    expect(r.reason).toMatch(/tester.*shell/i);
    expect(gateway.stats().started).toBe(before.started);
    expect(gateway.stats().refused).toBe(before.refused + 1);
    expect(await auditRows("shell.open")).toHaveLength(0);
  });

  it("refuses a developer, an anonymous ticket and a forged ticket the same way", async () => {
    expect((await connect(gateway, ticketFor(users.developer))).code).toBe(TERMINAL_CLOSE.policy);
    expect((await connect(gateway, ticketFor(null))).code).toBe(TERMINAL_CLOSE.policy);
    const forged = await connect(gateway, ticketFor(users.admin, buildId, shellTicketKey(randomBytes(32))));
    expect(forged).toMatchObject({ code: TERMINAL_CLOSE.policy, reason: expect.stringMatching(/signature/) });
    expect(gateway.stats().started).toBe(0);
  });

  it("gives an admin a shell as the odoo user with psql's environment, and records it with its duration", async () => {
    const r = await connect(gateway, ticketFor(users.admin), {
      input: ["echo SLIPWAY-$((6*7)) $(id -un) $PGDATABASE $PGUSER; stty size\r"],
      until: /SLIPWAY-42 odoo \S+ \S+\s+30 100/,
    });
    expect(r.output).toContain(`SLIPWAY-42 odoo ${databaseName} `);
    expect(r.output).toMatch(/30 100/);
    // The close is recorded once the gateway has seen the socket go.
    await expect.poll(async () => (await auditRows("shell.close")).length, { timeout: 5_000 }).toBe(1);
    const [open] = await auditRows("shell.open");
    const [close] = await auditRows("shell.close");
    expect(open).toMatchObject({ actorId: users.admin, projectId });
    expect(close!.details).toMatchObject({ reason: "client_closed", sessionId: (open!.details as { sessionId: string }).sessionId });
    expect((close!.details as { durationMs: number }).durationMs).toBeGreaterThan(0);
  });

  it("refuses a replayed ticket", async () => {
    const ticket = ticketFor(users.admin);
    await connect(gateway, ticket, { input: ["exit\r"] });
    const replay = await connect(gateway, ticket);
    expect(replay).toMatchObject({ code: TERMINAL_CLOSE.policy, reason: expect.stringMatching(/already used/) });
  });

  it("re-checks the role when the socket opens: a role removed after the ticket was issued is refused", async () => {
    const ticket = ticketFor(users.developer);
    await prisma.collaborator.update({ where: { projectId_userId: { projectId, userId: users.developer } }, data: { role: "admin" } });
    const promoted = ticketFor(users.developer);
    await prisma.collaborator.update({ where: { projectId_userId: { projectId, userId: users.developer } }, data: { role: "tester" } });
    expect((await connect(gateway, promoted)).code).toBe(TERMINAL_CLOSE.policy);
    expect((await connect(gateway, ticket)).code).toBe(TERMINAL_CLOSE.policy);
  });

  it("closes an idle session with the idle code", async () => {
    const r = await connect(idleGateway, ticketFor(users.admin), { input: ["echo ready\r"] });
    expect(r.code).toBe(TERMINAL_CLOSE.idle);
    expect(r.output).toContain("ready");
  });

  it("answers 404 to other paths", async () => {
    const r = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/other?ticket=x`);
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => undefined);
    });
    expect(r).toBe(404);
  });
});

/** A live connection: its output so far, the session frame's resume claim, and how it closed. */
interface Live {
  ws: WebSocket;
  output(): string;
  resume: Promise<TerminalResume>;
  closed: Promise<{ code: number; reason: string }>;
  waitFor(pattern: RegExp): Promise<void>;
  type(text: string): void;
}

function live(g: TerminalGateway, ticket: string, resume?: TerminalResume | string): Live {
  const claim =
    resume === undefined ? "" : `&resume=${encodeURIComponent(typeof resume === "string" ? resume : formatTerminalResume(resume))}`;
  const ws = new WebSocket(`ws://127.0.0.1:${g.port}/terminal?ticket=${encodeURIComponent(ticket)}&cols=100&rows=30${claim}`);
  let output = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let gotResume!: (r: TerminalResume) => void;
  const resumeFrame = new Promise<TerminalResume>((r) => (gotResume = r));
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on("close", (code, reason) => r({ code, reason: reason.toString() })),
  );
  ws.on("message", (data, isBinary) => {
    if (!isBinary) {
      const frame = JSON.parse(data.toString()) as { t: string; id?: string; resume?: string };
      if (frame.t === "session") gotResume({ sessionId: frame.id!, secret: frame.resume! });
      return;
    }
    output += data.toString("utf8");
    for (const w of waiters.filter((w) => w.pattern.test(output))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  ws.on("error", () => undefined);
  const queue: string[] = [];
  ws.on("open", () => queue.splice(0).forEach((d) => ws.send(JSON.stringify({ t: "in", d }))));
  return {
    ws,
    output: () => output,
    resume: resumeFrame,
    closed,
    waitFor: (pattern) =>
      pattern.test(output)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${pattern} not seen; output: ${output}`)), 15_000);
            waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    type: (d) => (ws.readyState === ws.OPEN ? ws.send(JSON.stringify({ t: "in", d })) : queue.push(d)),
  };
}

describe("a shell whose connection drops is resumed, by its own user on its own build only", () => {
  it("keeps the shell running while detached, keeps its output, and reattaches it with a new ticket and the session's secret", async () => {
    const first = live(gateway, ticketFor(users.admin));
    const claim = await first.resume;
    first.type("R=$((6*7))x; echo rea''dy\r");
    await first.waitFor(/ready/);
    // Output produced after the drop is kept for the resume.
    first.type("sleep 1; echo while-$R-away\r");
    await new Promise((r) => setTimeout(r, 100));
    first.ws.terminate();
    expect((await first.closed).code).toBe(1006);
    await expect.poll(() => gateway.stats().open).toBe(1);

    // Probes, each with a valid ticket: a forged secret, a malformed claim, another admin with the
    // right secret, a tester's ticket (refused by role first). The shell survives them all.
    const forged = live(gateway, ticketFor(users.admin), { sessionId: claim.sessionId, secret: randomBytes(32).toString("base64url") });
    expect(await forged.closed).toEqual({ code: TERMINAL_CLOSE.gone, reason: "The shell session has ended: open a new one." });
    expect((await live(gateway, ticketFor(users.admin), `${claim.sessionId}.nope`).closed).code).toBe(TERMINAL_CLOSE.gone);
    expect((await live(gateway, ticketFor(users.admin2), claim).closed).code).toBe(TERMINAL_CLOSE.gone);
    expect((await live(gateway, ticketFor(users.tester), claim).closed).code).toBe(TERMINAL_CLOSE.policy);
    // The secret alone is not enough: the ticket is single use and the resume needs one.
    const spent = ticketFor(users.admin);
    await connect(gateway, spent, { input: ["exit\r"] });
    expect((await live(gateway, spent, claim).closed).code).toBe(TERMINAL_CLOSE.policy);
    expect(gateway.stats().open).toBe(1);

    // The control: the same user, a new ticket, the right secret — the same shell, its variable set.
    const again = live(gateway, ticketFor(users.admin), claim);
    expect(await again.resume).toEqual(claim);
    await again.waitFor(/while-42x-away/);
    again.type("echo back-$R\r");
    await again.waitFor(/back-42x/);
    again.ws.close(1000);
    await again.closed;

    await expect
      .poll(
        async () =>
          (await auditRows("shell.close")).filter((r) => (r.details as { sessionId?: string }).sessionId === claim.sessionId).length,
        { timeout: 5_000 },
      )
      .toBe(1);
    const closes = (await auditRows("shell.close")).filter((r) => (r.details as { sessionId?: string }).sessionId === claim.sessionId);
    expect(closes[0]!.details).toMatchObject({ reason: "client_closed", resumes: 1 });
    const resumes = await auditRows("shell.resume");
    expect(resumes.map((r) => [r.actorId, (r.details as { sessionId: string }).sessionId])).toEqual([[users.admin, claim.sessionId]]);
  });

  it("ends a dropped shell nobody resumes within the grace period; a late resume is told it is gone", async () => {
    const first = live(shortResumeGateway, ticketFor(users.admin));
    const claim = await first.resume;
    first.type("echo rea''dy\r");
    await first.waitFor(/ready/);
    first.ws.terminate();
    await expect
      .poll(
        async () =>
          (await auditRows("shell.close")).find((r) => (r.details as { sessionId?: string }).sessionId === claim.sessionId)?.details,
        {
          timeout: 5_000,
        },
      )
      .toMatchObject({ reason: "disconnected", resumes: 0 });
    expect(shortResumeGateway.stats().open).toBe(0);
    expect((await live(shortResumeGateway, ticketFor(users.admin), claim).closed).code).toBe(TERMINAL_CLOSE.gone);
  });

  it("ends the shell at once when the client closes with 1000 (done), with nothing left to resume", async () => {
    const first = live(gateway, ticketFor(users.admin));
    const claim = await first.resume;
    first.type("echo rea''dy\r");
    await first.waitFor(/ready/);
    first.ws.close(1000);
    await first.closed;
    await expect.poll(() => gateway.stats().open, { timeout: 5_000 }).toBe(0);
    expect((await live(gateway, ticketFor(users.admin), claim).closed).code).toBe(TERMINAL_CLOSE.gone);
  });
});

describe("visitor shells of a public project: capped per client address and per build", () => {
  let capped: TerminalGateway;
  let devBuildId = "";

  beforeAll(async () => {
    const project = await insertProject(prisma, {
      slug: `termpub${randomBytes(3).toString("hex")}`,
      name: "Public terminal",
      repoUrl: "/nowhere",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", deps.config.encryptionKey),
      creatorId: users.admin,
    });
    await prisma.project.update({ where: { id: project.id }, data: { publicAccess: true } });
    const branch = await prisma.branch.create({ data: { projectId: project.id, name: "feature", stage: "development" } });
    devBuildId = randomUUID();
    const containerName = `slipway-test-term-${randomBytes(3).toString("hex")}`;
    await createAndStart({
      docker: deps.docker,
      spec: {
        name: containerName,
        image,
        entrypoint: ["sleep"],
        cmd: ["infinity"],
        labels: { role: "odoo-server", build: devBuildId, project: project.id, ...TEST_LABEL },
      },
    });
    await prisma.build.create({
      data: {
        id: devBuildId,
        projectId: project.id,
        branchId: branch.id,
        number: 1,
        stage: "development",
        revision: "b".repeat(40),
        state: "running",
        inProgressSlot: null,
        containerName,
        databaseName: `${databaseName}_dev`,
      },
    });
    capped = await startTerminalGateway({ deps, host: "127.0.0.1", port: 0, anonymousLimits: { perAddress: 2, perBuild: 3 } });
  }, 120_000);

  afterAll(async () => {
    await capped?.close();
  });

  it("refuses a third visitor shell from one address and a fourth on the build with a clear reason; members are not counted; a closed shell frees its slot", async () => {
    const visitor = () => ticketFor(null, devBuildId);
    const open: WebSocket[] = [];
    const expectOpen = async (ticket: string, address: string) => {
      const r = await openShell(capped, ticket, address);
      if ("refused" in r) throw new Error(`refused from ${address}: ${r.refused.code} ${r.refused.reason}`);
      open.push(r.ws);
      return r;
    };
    const first = await expectOpen(visitor(), "127.0.0.1");
    await expectOpen(visitor(), "127.0.0.1");
    const started = capped.stats().started;

    const third = await openShell(capped, visitor(), "127.0.0.1");
    expect(third).toEqual({
      refused: {
        code: TERMINAL_CLOSE.policy,
        reason: "Too many visitor shells from your address (2 open): close one or sign in.",
        output: "",
      },
    });
    await expectOpen(visitor(), "127.0.0.2");
    const fourth = await openShell(capped, visitor(), "127.0.0.3");
    expect(fourth).toMatchObject({
      refused: { code: TERMINAL_CLOSE.policy, reason: "Too many visitor shells on this build (3 open): try again later or sign in." },
    });
    expect(capped.stats().started).toBe(started + 1);

    // The project's admin (a member, not a visitor) is not counted against the visitors' caps.
    await expectOpen(ticketFor(users.admin, devBuildId), "127.0.0.1");

    // Closing a visitor's shell frees its slot on the build and for its address.
    first.ws.close(1000);
    await first.closed;
    await expect.poll(() => capped.stats().open, { timeout: 5_000 }).toBe(3);
    await expectOpen(visitor(), "127.0.0.3");
    for (const ws of open) ws.close(1000);
    await expect.poll(() => capped.stats().open, { timeout: 10_000 }).toBe(0);
  });
});
