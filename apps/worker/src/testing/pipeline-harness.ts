// Test support for the staging and production pipeline tests: a temporary control-plane database,
// real worker deps, a project on a tree repository, pushes built synchronously, requests through
// the real proxy, and a cleanup that removes every database, volume, container and route the
// project's builds created (all named after the project's random slug).
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pino from "pino";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { listVolumes, removeVolume } from "@slipway/docker";
import { runBuild } from "../builds/run-build";
import { releaseBuild } from "../builds/resources";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { dropProjectStagingClones, postgresFor } from "../odoo/staging-clones";
import { dropDatabase, listDatabases, queryDatabase } from "../postgres";
import { removeTestProjectNetworks } from "./cleanup-networks";
import { createTreeRepo, type Tree, type TreeRepo } from "./tree-repo";

export interface PipelineHarness {
  deps: WorkerDeps;
  prisma: Db;
  repo: TreeRepo;
  projectId: string;
  slug: string;
  /** Creates the branch (if needed) at `stage`, pushes `files` and runs the build to its end. */
  pushAndBuild(branch: string, files: Tree, options?: { stage?: Stage }): Promise<Awaited<ReturnType<typeof loadBuild>>>;
  get(host: string, path: string): Promise<{ status: number; body: string }>;
  sql<R extends Record<string, unknown>>(database: string, sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

function loadBuild(prisma: Db, id: string) {
  return prisma.build.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
}

/** `env`: the test's environment (DATABASE_URL of the server where a temporary database is made). */
export async function createPipelineHarness(options: { prefix: string; image: string; env: NodeJS.ProcessEnv }): Promise<PipelineHarness> {
  const db: TemporaryDatabase = await createTemporaryDatabase({ adminUrl: options.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...options.env, DATABASE_URL: db.url });
  const deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  const prisma = deps.prisma;
  const repo = createTreeRepo();
  const slug = `${options.prefix}${randomBytes(3).toString("hex")}`;
  const user = await prisma.user.create({ data: { login: "ada" } });
  const projectId = (
    await insertProject(prisma, {
      slug,
      name: slug,
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: options.image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;

  return {
    deps,
    prisma,
    repo,
    projectId,
    slug,
    async pushAndBuild(branch, files, opts) {
      const stage = opts?.stage ?? "development";
      await prisma.branch.upsert({
        where: { projectId_name: { projectId, name: branch } },
        create: { projectId, name: branch, stage, productionSlot: stage === "production" ? true : null },
        update: {},
      });
      const revision = repo.push(branch, files);
      const outcome = await recordPush(prisma, { projectId, branch, revision, message: `push to ${branch}`, author: "Ada" });
      if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
      await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
      return loadBuild(prisma, outcome.build.id);
    },
    get(host, path) {
      return new Promise((resolve, reject) => {
        http
          // A new connection per request, like a new visitor: a keep-alive connection Caddy closes
          // while it applies a route change ends in "socket hang up", which browsers retry silently.
          .get({ host: "127.0.0.1", port: config.proxyPort, path, headers: { host }, timeout: 5_000, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on("error", reject);
      });
    },
    async sql(database, sql, params) {
      // A staging database may live in its own cluster (ADR 0009).
      return queryDatabase({ pg: await postgresFor(deps, database), database, sql, params }) as never;
    },
    async close() {
      for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } })) {
        await releaseBuild({ deps, build: { id: b.id, databaseName: null }, keepData: true }).catch(() => undefined);
      }
      // Update backups' own folders (content-addressed objects are shared with other backups: kept).
      for (const b of await prisma.backup.findMany({ select: { location: true } })) {
        if (b.location?.startsWith("backups/")) rmSync(path.join(config.backups.root, b.location), { recursive: true, force: true });
      }
      await dropProjectStagingClones(deps, projectId).catch(() => undefined);
      const pg = await deps.postgres();
      for (const name of await listDatabases({ pg })) if (name.startsWith(slug)) await dropDatabase({ pg, name }).catch(() => undefined);
      for (const v of await listVolumes({ docker: deps.docker, labels: { project: projectId } }))
        await removeVolume({ docker: deps.docker, name: v.name }).catch(() => undefined);
      await removeTestProjectNetworks(deps).catch(() => undefined);
      for (const route of await deps.caddy.routes()) {
        const id = String(route["@id"] ?? "");
        const builds = new Set((await prisma.build.findMany({ select: { id: true } })).map((b) => b.id));
        if ([...builds].some((b) => id.endsWith(b))) await deps.caddy.removeRoute(id).catch(() => undefined);
      }
      await deps.redis.quit().catch(() => undefined);
      await deps.queues.close().catch(() => undefined);
      await prisma.$disconnect();
      repo.remove();
      await db.drop();
    },
  };
}
