// Test support of the Backups route tests (not imported by the app): a temporary control-plane
// database, a backup store in a temporary folder, BullMQ queues under a prefix of their own (a
// worker running on this machine never sees the jobs), a project with one branch per stage (each
// with a running build, so each "has a database") and a session per role.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSessionRepository, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createQueues, queueNames, type Queues } from "@slipway/queue";
import { SESSION_COOKIE } from "@/server/auth/session-cookie";
import { generateSessionToken, hashSessionToken } from "@/server/auth/session-policy";

export const ORIGIN = "http://127.0.0.1:3000";
export type Role = "admin" | "tester" | "developer";

export interface BackupsFixture {
  db: TemporaryDatabase;
  prisma: Db;
  queues: Queues;
  root: string;
  slug: string;
  projectId: string;
  branches: Record<"production" | "staging" | "development", { id: string; name: string }>;
  cookies: Record<Role, string>;
  userIds: Record<Role, string>;
  close(): Promise<void>;
}

/** `env` is the test's process environment: the fixture points the web's settings at its own database and store. */
export async function createBackupsFixture(options: {
  maxBytes: number;
  env: Record<string, string | undefined>;
}): Promise<BackupsFixture> {
  const { env } = options;
  const adminUrl = env.DATABASE_URL;
  if (!adminUrl || !env.REDIS_URL)
    throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");
  const db = await createTemporaryDatabase({ adminUrl });
  const root = mkdtempSync(path.join(tmpdir(), "slipway-web-backups-"));
  env.DATABASE_URL = db.url;
  env.SLIPWAY_BACKUP_DIR = root;
  env.SLIPWAY_IMPORT_MAX_BYTES = String(options.maxBytes);
  const { deps } = await import("@/server/deps");
  const prisma = deps().prisma;
  const queues = createQueues({ connection: deps().redis, prefix: `slipway-test-${randomBytes(4).toString("hex")}` });
  Object.assign(deps(), { queues });

  const sessions = createSessionRepository({ prisma });
  const cookies = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  for (const role of ["admin", "tester", "developer"] as const) {
    const user = await prisma.user.create({ data: { login: `b-${role}-${randomBytes(2).toString("hex")}` } });
    const token = generateSessionToken();
    await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    cookies[role] = `${SESSION_COOKIE}=${token}`;
    userIds[role] = user.id;
  }
  const slug = `backups-${randomBytes(3).toString("hex")}`;
  const project = await insertProject(prisma, {
    slug,
    name: "Backups shop",
    repoUrl: "/srv/git/b.git",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: "v1:x:y:z",
    creatorId: userIds.admin,
  });
  for (const role of ["tester", "developer"] as const)
    await prisma.collaborator.create({ data: { projectId: project.id, userId: userIds[role], role } });
  const branches = {} as BackupsFixture["branches"];
  let number = 1;
  for (const stage of ["production", "staging", "development"] as const) {
    const name = stage === "production" ? "main" : `${stage}-1`;
    const branch = await prisma.branch.create({
      data: { projectId: project.id, name, stage, productionSlot: stage === "production" ? true : null, headRevision: "a".repeat(40) },
    });
    await prisma.build.create({
      data: {
        projectId: project.id,
        branchId: branch.id,
        stage,
        revision: "a".repeat(40),
        number: number++,
        state: "running",
        result: "green",
        databaseName: `b${number}db`,
      },
    });
    branches[stage] = { id: branch.id, name };
  }
  return {
    db,
    prisma,
    queues,
    root,
    slug,
    projectId: project.id,
    branches,
    cookies,
    userIds,
    async close() {
      for (const name of queueNames)
        await queues
          .get(name)
          .obliterate({ force: true })
          .catch(() => undefined);
      await queues.close();
      deps().redis.disconnect();
      await prisma.$disconnect();
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Jobs waiting in the test's queues, by name (nothing runs them: the test plays the worker). */
export async function queuedJobs(queues: Queues, name: string): Promise<Record<string, unknown>[]> {
  const queue = queues.get(name === "backup.inspect-upload" ? "control" : "backups");
  const jobs = await queue.getJobs(["waiting", "delayed", "prioritized", "active"], 0, 1000);
  return jobs.filter((j) => j?.name === name).map((j) => j.data as Record<string, unknown>);
}

/** A request as the browser sends it: the role's session cookie and (for state changes) our Origin. */
export function browserRequest(
  fixture: BackupsFixture,
  who: Role | null,
  url: string,
  init: { method?: string; body?: BodyInit | null; headers?: Record<string, string> } = {},
): Request {
  const method = init.method ?? "GET";
  return new Request(`${ORIGIN}${url}`, {
    method,
    body: init.body ?? null,
    headers: { ...(who ? { cookie: fixture.cookies[who] } : {}), ...(method !== "GET" ? { origin: ORIGIN } : {}), ...init.headers },
    // Node's fetch needs this for a streamed body.
    ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}
