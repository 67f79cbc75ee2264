// Test support for the backup integration tests and the benchmark: a project whose production
// (and staging) branch has a running build and a real Odoo database made by the driver on the
// managed PostgreSQL server, with attachments in its filestore; fingerprints to compare states.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { encryptSecret, testOdooImage } from "@slipway/config";
import { insertProject } from "@slipway/db";
import type { TemporaryDatabase } from "@slipway/db/testing";
import { volumeName } from "@slipway/domain";
import { removeContainers, removeVolumes, runStreaming } from "@slipway/docker";
import type { WorkerDeps } from "../../deps";
import { createDatabase, installModules, type OdooContext } from "../../odoo/driver";
import { withClient } from "../../postgres";
import { toolsContextOf } from "../engine/context";
import { readFilestore } from "../engine/filestore-volume";
import { ensureProjectNetwork } from "../../isolation/project-network";
import { removeTestProjectNetworks } from "../../testing/cleanup-networks";
import { databaseCredentials, dropDatabase, ensureDatabase } from "../../postgres";

// The image under test (the stand-in unless the compatibility suite names another) and the
// stand-in's fixture addons.
export const TEST_IMAGE = testOdooImage();
export const FIXTURES = resolve(join(import.meta.dirname, "../../../../../docker/odoo-standin/fixtures"));

export function odooContext(
  deps: WorkerDeps,
  pg: Awaited<ReturnType<WorkerDeps["postgres"]>>,
  database: string,
  labels: Record<string, string>,
  network: string,
): OdooContext {
  return {
    docker: deps.docker,
    image: TEST_IMAGE,
    database,
    db: databaseCredentials(pg, database),
    network,
    checkout: { hostPath: FIXTURES, addonsFolders: ["."] },
    dataVolume: volumeName({ databaseName: database }),
    logDir: mkdtempSync(join(tmpdir(), "slipway-backup-logs-")),
    labels,
    limits: { cpus: 1, memoryBytes: 1024 ** 3, timeoutMs: 180_000 },
  };
}

/** A project with a production branch (and a staging one) whose running builds own real databases. */
export async function createBackupProject(
  deps: WorkerDeps,
  options: { labels: Record<string, string>; odooVersion?: string; staging?: boolean },
) {
  const slug = `bk${randomBytes(4).toString("hex")}`;
  const user = await deps.prisma.user.create({ data: { login: `u${slug}` } });
  const project = await insertProject(deps.prisma, {
    slug,
    name: slug,
    repoUrl: "/nonexistent",
    repoKind: "generic",
    odooVersion: options.odooVersion ?? "17.0",
    odooImage: TEST_IMAGE,
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret("s", deps.config.encryptionKey),
    creatorId: user.id,
  });
  const pg = await deps.postgres();
  const network = await ensureProjectNetwork({ docker: deps.docker, pg, project });
  const make = async (name: string, stage: "production" | "staging", number: number) => {
    const branch = await deps.prisma.branch.create({
      data: { projectId: project.id, name, stage, productionSlot: stage === "production" ? true : null },
    });
    const database = stage === "production" ? slug : `${slug}--${name}-${number}`;
    const ctx = odooContext(deps, pg, database, options.labels, network.name);
    await ensureDatabase({ pg, name: database });
    const created = await createDatabase({ ctx, withDemo: true });
    if (created.exitCode !== 0) throw new Error(`createDatabase failed: ${created.classification.reasons.join("; ")}`);
    const installed = await installModules({ ctx, modules: ["green_addon"], withDemo: true });
    if (installed.exitCode !== 0) throw new Error(`installModules failed: ${installed.classification.reasons.join("; ")}`);
    const build = await deps.prisma.build.create({
      data: {
        projectId: project.id,
        branchId: branch.id,
        number,
        stage,
        revision: "0".repeat(40),
        state: "running",
        inProgressSlot: null,
        databaseName: database,
      },
    });
    return { branch, build, database, ctx };
  };
  const production = await make("main", "production", 1);
  const staging = options.staging ? await make("staging", "staging", 2) : null;
  return { project, production, staging, pg, network };
}

/** Writes `count` random attachments of `size` bytes into the filestore, named like Odoo (sha1). */
export async function addAttachments(
  deps: WorkerDeps,
  options: { database: string; count: number; size: number; labels: Record<string, string> },
): Promise<void> {
  const ctx = await toolsContextOf(deps, options.labels);
  const script = `set -e; d="/data/filestore/$1"; mkdir -p "$d"; cd "$d"; i=0
while [ $i -lt $2 ]; do head -c $3 /dev/urandom > .new; s=$(sha1sum .new | cut -c1-40); p=$(echo $s | cut -c1-2); mkdir -p $p; mv .new $p/$s; i=$((i+1)); done
chown -R "$(stat -c %u:%g /data)" "$d"`;
  const run = await runStreaming({
    docker: deps.docker,
    spec: {
      image: ctx.image,
      user: "0:0",
      entrypoint: ["sh", "-c", script, "sh", options.database, String(options.count), String(options.size)],
      mounts: [{ type: "volume", source: volumeName({ databaseName: options.database }), target: "/data" }],
      network: "none",
      labels: { ...ctx.labels, role: "test-attachments" },
    },
  });
  if (run.exitCode !== 0) throw new Error(`adding attachments failed: ${run.stderr}`);
}

/** Row count and md5 of every table's rows (sorted), and the sha256 of every filestore file. */
export async function fingerprint(
  deps: WorkerDeps,
  database: string,
): Promise<{ tables: Record<string, string>; files: Record<string, string> }> {
  const pg = await deps.postgres();
  const tables = await withClient({ pg, database }, async (c) => {
    const out: Record<string, string> = {};
    const names = await c.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
    );
    for (const { name } of names.rows) {
      const r = await c.query<{ n: string; md5: string }>(
        `SELECT count(*)::text AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS md5 FROM public."${name}" t`,
      );
      out[name] = `${r.rows[0]!.n}:${r.rows[0]!.md5}`;
    }
    return out;
  });
  const files: Record<string, string> = {};
  await readFilestore({
    ctx: await toolsContextOf(deps, { test: "fingerprint" }),
    volume: volumeName({ databaseName: database }),
    dir: database,
    onFile: async (entry, body) => {
      const hash = createHash("sha256");
      for await (const chunk of body) hash.update(chunk as Buffer);
      files[entry.path] = hash.digest("hex");
    },
  });
  return { tables, files };
}

export async function cleanupBackupTests(
  deps: WorkerDeps,
  options: { databases: string[]; labels: Record<string, string> },
): Promise<void> {
  const pg = await deps.postgres();
  for (const name of options.databases) await dropDatabase({ pg, name }).catch(() => undefined);
  // Leftover scratch databases of failed runs of this suite's projects are named slipway_*_<hex>: not ours to guess; they are dropped by the use cases themselves.
  await removeContainers({ docker: deps.docker, labels: options.labels }).catch(() => undefined);
  await removeVolumes({ docker: deps.docker, labels: options.labels }).catch(() => undefined);
  await removeTestProjectNetworks(deps);
}

/**
 * A backup suite's afterAll: its Odoo databases, containers, volumes and networks removed
 * (cleanupBackupTests), the worker's connections closed, its control-plane database dropped and its
 * scratch folder deleted. Whatever the set-up did not get to create is skipped.
 */
export async function tearDownBackupTests(options: {
  deps: WorkerDeps | undefined;
  db: TemporaryDatabase | undefined;
  tmp: string;
  labels: Record<string, string>;
  databases: (string | undefined)[];
}): Promise<void> {
  const { deps } = options;
  if (deps) {
    await cleanupBackupTests(deps, { databases: options.databases.filter((d): d is string => Boolean(d)), labels: options.labels });
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await deps.prisma.$disconnect();
  }
  await options.db?.drop();
  rmSync(options.tmp, { recursive: true, force: true });
}
