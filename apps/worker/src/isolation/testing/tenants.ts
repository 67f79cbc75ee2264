// Test support for the hostile-tenant suite: several projects (tenants) in ONE temporary
// control-plane database, built by the real worker pipeline on the shared Docker engine, managed
// PostgreSQL server and Caddy; requests through the real proxy; SQL as PostgreSQL's superuser inside
// the server's own container (the local socket, never a build's credentials, and independent of the
// worker's administration module); and a cleanup that removes every container, volume, network,
// image, database, role, route and file the suite's projects created, even after a failure.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pino from "pino";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { execCommand, listContainers, removeContainer } from "@slipway/docker";
import { releaseBuild } from "../../builds/resources";
import { runBuild } from "../../builds/run-build";
import { createWorkerDeps } from "../../create-deps";
import type { WorkerDeps } from "../../deps";
import { routeIdForBuild } from "../../proxy/caddy";
import { createTreeRepo, type Tree, type TreeRepo } from "../../testing/tree-repo";
import { engineApi, type EngineApi } from "./engine-api";

export const BASE_DOMAIN = "slipway.localhost";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export type BuildRow = Awaited<ReturnType<typeof loadBuild>>;

export interface Tenant {
  id: string;
  slug: string;
  repo: TreeRepo;
  /** The project's admin collaborator (its creator). */
  adminId: string;
  /** Queues a build of `files` on `branch` (created at `stage` when new); runBuild is not started. */
  push(branch: string, files: Tree, options?: { stage?: Stage }): Promise<string>;
  /** Pushes and runs the build to its end with the real pipeline. */
  pushAndBuild(branch: string, files: Tree, options?: { stage?: Stage }): Promise<BuildRow>;
}

export interface Tenants {
  deps: WorkerDeps;
  prisma: Db;
  engine: EngineApi;
  tenants: Tenant[];
  createTenant(options: { slug: string; publicAccess?: boolean }): Promise<Tenant>;
  runBuild(buildId: string, signal?: AbortSignal): Promise<BuildRow>;
  /** A request through the real proxy (Caddy) with the given Host header; a new connection each time. */
  proxy(
    host: string,
    method: string,
    urlPath: string,
    options?: { body?: string | Buffer; contentType?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer>;
  /** SQL as PostgreSQL's superuser over the server container's local socket; rows of tab-separated text. */
  superSql(database: string, sql: string): Promise<string[][]>;
  databaseExists(name: string): Promise<boolean>;
  tableExists(database: string, table: string): Promise<boolean>;
  close(): Promise<void>;
}

function loadBuild(prisma: Db, id: string) {
  return prisma.build.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function createTenants(options: { env: NodeJS.ProcessEnv; image: string }): Promise<Tenants> {
  const db: TemporaryDatabase = await createTemporaryDatabase({ adminUrl: options.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...options.env, DATABASE_URL: db.url });
  const deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  const prisma = deps.prisma;
  const engine = engineApi(config.docker.socketPath);
  const tenants: Tenant[] = [];

  const run = async (buildId: string, signal?: AbortSignal) => {
    await runBuild(deps, { buildId, signal: signal ?? new AbortController().signal });
    return loadBuild(prisma, buildId);
  };

  const superSql = async (database: string, sql: string): Promise<string[][]> => {
    const pg = await deps.postgres();
    const res = await execCommand({
      docker: deps.docker,
      id: pg.containerName,
      user: "postgres",
      cmd: [
        "psql",
        "-h",
        "/run/postgresql",
        "-U",
        "postgres",
        "-d",
        database,
        "-X",
        "-q",
        "-A",
        "-t",
        "-F",
        "\t",
        "-v",
        "ON_ERROR_STOP=1",
        "-f",
        "-",
      ],
      stdin: `${sql}\n`,
      timeoutMs: 60_000,
    });
    if (res.exitCode !== 0) throw new Error(`psql on ${database} failed (${res.exitCode}): ${res.stderr.trim()}`);
    return res.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t"));
  };

  const world: Tenants = {
    deps,
    prisma,
    engine,
    tenants,
    async createTenant(opts) {
      const repo = createTreeRepo();
      const user = await prisma.user.create({ data: { login: `admin-${opts.slug}` } });
      const project = await insertProject(prisma, {
        slug: opts.slug,
        name: opts.slug,
        repoUrl: repo.url,
        repoKind: "generic",
        odooVersion: "17.0",
        odooImage: options.image,
        baseDomain: BASE_DOMAIN,
        webhookSecretEnc: encryptSecret("s", config.encryptionKey),
        creatorId: user.id,
      });
      if (opts.publicAccess) await prisma.project.update({ where: { id: project.id }, data: { publicAccess: true } });
      const push = async (branch: string, files: Tree, o?: { stage?: Stage }) => {
        const stage = o?.stage ?? "development";
        await prisma.branch.upsert({
          where: { projectId_name: { projectId: project.id, name: branch } },
          create: { projectId: project.id, name: branch, stage, productionSlot: stage === "production" ? true : null },
          update: {},
        });
        const revision = repo.push(branch, files);
        const outcome = await recordPush(prisma, {
          projectId: project.id,
          branch,
          revision,
          message: `push to ${branch}`,
          author: "Mallory",
        });
        if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
        return outcome.build.id;
      };
      const tenant: Tenant = {
        id: project.id,
        slug: opts.slug,
        repo,
        adminId: user.id,
        push,
        async pushAndBuild(branch, files, o) {
          return run(await push(branch, files, o));
        },
      };
      tenants.push(tenant);
      return tenant;
    },
    runBuild: run,
    proxy(host, method, urlPath, o = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { host, ...o.headers };
        if (o.contentType) headers["content-type"] = o.contentType;
        if (o.body !== undefined) headers["content-length"] = String(Buffer.byteLength(o.body));
        const req = http.request(
          { host: "127.0.0.1", port: config.proxyPort, method, path: urlPath, headers, timeout: 20_000, agent: false },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const body = Buffer.concat(chunks);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
            });
          },
        );
        req.on("timeout", () => req.destroy(new Error(`proxy request ${method} ${host}${urlPath} timed out`)));
        req.on("error", reject);
        if (o.body !== undefined) req.write(o.body);
        req.end();
      });
    },
    superSql,
    async databaseExists(name) {
      return (await superSql("postgres", `SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(name)}`)).length === 1;
    },
    async tableExists(database, table) {
      return (await superSql(database, `SELECT to_regclass(${quoteLiteral(`public.${table}`)}) IS NOT NULL`))[0]?.[0] === "t";
    },
    async close() {
      const errors: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (e) {
          errors.push(`${what}: ${(e as Error).message}`);
        }
      };
      const builds = await prisma.build.findMany({ select: { id: true } }).catch(() => [] as { id: string }[]);
      const buildIds = new Set(builds.map((b) => b.id));
      const ids = new Set(tenants.map((t) => t.id));
      const slugs = tenants.map((t) => t.slug);
      const mine = (labels: Record<string, string>) =>
        ids.has(labels["org.slipway.project"] ?? "") ||
        slugs.includes(labels["org.slipway.project"] ?? "") ||
        buildIds.has(labels["org.slipway.build"] ?? "");
      // Routes and containers first (a running server holds its database open).
      for (const b of builds)
        await attempt(`release ${b.id}`, () => releaseBuild({ deps, build: { id: b.id, databaseName: null }, keepData: true }));
      for (const id of [...ids, ...slugs]) {
        await attempt(`containers of ${id}`, async () => {
          for (const c of await listContainers({ docker: deps.docker, labels: { project: id }, all: true }))
            await removeContainer({ docker: deps.docker, id: c.id, force: true }).catch(() => undefined);
        });
      }
      await attempt("containers by name", async () => {
        const r = await engine.get<{ Id: string; Names: string[]; Labels: Record<string, string> }[]>(`/containers/json?all=1`);
        for (const c of r.body ?? []) {
          if (mine(c.Labels ?? {}) || c.Names.some((n) => slugs.some((s) => n.startsWith(`/slipway-${s}`))))
            await engine.del(`/containers/${c.Id}?force=1&v=1`);
        }
      });
      await attempt("routes", async () => {
        for (const route of await deps.caddy.routes()) {
          const id = String(route["@id"] ?? "");
          const hosts = JSON.stringify(route.match ?? "");
          if (
            [...buildIds].some((b) => id === routeIdForBuild(b) || id.endsWith(b)) ||
            slugs.some((s) => hosts.includes(`"${s}.`) || hosts.includes(`"${s}--`))
          ) {
            await deps.caddy.removeRoute(id);
          }
        }
      });
      // Databases and roles named after the suite's projects (random slugs: nobody else's).
      await attempt("databases", async () => {
        const likes = slugs.map((s) => `datname = ${quoteLiteral(s)} OR datname LIKE ${quoteLiteral(`${s}-%`)}`).join(" OR ");
        if (!likes) return;
        for (const [name] of await superSql("postgres", `SELECT datname FROM pg_database WHERE ${likes}`)) {
          await superSql("postgres", `DROP DATABASE IF EXISTS ${quoteIdent(name!)} WITH (FORCE)`);
        }
        const roleLikes = slugs.map((s) => `rolname = ${quoteLiteral(s)} OR rolname LIKE ${quoteLiteral(`${s}-%`)}`).join(" OR ");
        for (const [role] of await superSql(
          "postgres",
          `SELECT rolname FROM pg_roles WHERE ${roleLikes} OR rolname = 'hostile_probe_role'`,
        )) {
          await superSql("postgres", `DROP ROLE IF EXISTS ${quoteIdent(role!)}`).catch(() => undefined);
        }
        await superSql("postgres", "DROP TABLE IF EXISTS public.hostile_probe_planted; DROP FUNCTION IF EXISTS public.hostile_probe_fn()");
      });
      await attempt("volumes", async () => {
        const r = await engine.get<{ Volumes: { Name: string; Labels: Record<string, string> | null }[] | null }>("/volumes");
        for (const v of r.body?.Volumes ?? []) {
          if (mine(v.Labels ?? {}) || slugs.some((s) => v.Name === `slipway-${s}-data` || v.Name.startsWith(`slipway-${s}--`)))
            await engine.del(`/volumes/${encodeURIComponent(v.Name)}?force=1`);
        }
      });
      await attempt("networks", async () => {
        const r = await engine.get<{ Id: string; Name: string; Labels: Record<string, string> | null }[]>("/networks");
        for (const n of r.body ?? []) {
          if (!(mine(n.Labels ?? {}) || slugs.some((s) => n.Name.endsWith(`-${s}`)))) continue;
          const detail = await engine.get<{ Containers: Record<string, unknown> | null }>(`/networks/${n.Id}`);
          for (const c of Object.keys(detail.body?.Containers ?? {}))
            await engine.post(`/networks/${n.Id}/disconnect`, { Container: c, Force: true });
          await engine.del(`/networks/${n.Id}`);
        }
      });
      await attempt("images", async () => {
        for (const id of ids) {
          const filters = encodeURIComponent(JSON.stringify({ label: [`org.slipway.project=${id}`] }));
          const r = await engine.get<{ Id: string }[]>(`/images/json?filters=${filters}`);
          for (const img of r.body ?? []) await engine.del(`/images/${img.Id}?force=1`);
        }
      });
      for (const b of builds) rmSync(path.join(config.home, "builds", b.id), { recursive: true, force: true });
      await deps.redis.quit().catch(() => undefined);
      await deps.queues.close().catch(() => undefined);
      await prisma.$disconnect().catch(() => undefined);
      for (const t of tenants) t.repo.remove();
      await db.drop().catch((e: Error) => errors.push(`control-plane database: ${e.message}`));
      if (errors.length) console.warn(`hostile-tenant cleanup: ${errors.join("; ")}`);
    },
  };
  return world;
}

/** A slug the suite owns: random, so concurrent runs and other suites never share a name. */
export function randomSlug(prefix: string): string {
  return `${prefix}${randomBytes(3).toString("hex")}`;
}
