// Staging copies by standby snapshots (ADR 0009) on a real managed server, a real standby on a
// loop-mounted btrfs image, and real clone clusters: the copy is CURRENT production (a row written
// one second before is in it), the clone holds its own database and nothing of any other project
// (probed from the project's network), and on a filesystem that cannot snapshot the copy falls back
// to pg_dump | pg_restore, says why and is correct; a lagging standby is waited for (bounded).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "@slipway/config";
import {
  connectDocker,
  ensureNetwork,
  ensureVolume,
  removeContainers,
  removeNetworks,
  removeVolumes,
  runToCompletion,
} from "@slipway/docker";
import { volumeName } from "@slipway/domain";
import {
  cloneContainerName,
  createDatabase,
  databaseCredentials,
  databaseExists,
  ensureManagedPostgres,
  execSuperuser,
  ident,
  queryDatabase,
  removeStandby,
  waitForReplay,
  withClient,
  type ManagedPostgres,
} from "../postgres";
import { dropStagingClone, postgresFor, stagingCloneBackend } from "./staging-clones";
import { copyProductionForStagingBuild } from "./staging-source";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const tag = `${process.pid}`;
const home = mkdtempSync(join(tmpdir(), "slipway-clones-"));
const image = process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15";
const labels = { test: `staging-clones-${tag}` };
const prod = `clonep${tag}`;
const other = `cloneo${tag}`;
const network = `slipway-test-clonenet-${tag}`;
let primary: ManagedPostgres;

function depsWith(settings: WorkerConfig["stagingClones"]) {
  return {
    config: { home, odooPgImage: image, stagingClones: settings } as unknown as WorkerConfig,
    stagingClones: settings,
    docker,
    postgres: () => Promise.resolve(primary),
    logger: pino({ level: "silent" }),
  };
}
const cloneDeps = depsWith({ mode: "auto", loopSizeGb: 4 });

async function copy(deps: ReturnType<typeof depsWith>, target: string) {
  return copyProductionForStagingBuild({
    docker,
    pg: primary,
    toolsImage: image,
    cloneImage: image,
    database: prod,
    volume: volumeName({ databaseName: prod }),
    maxAgeMs: 0,
    target: { database: target, volume: volumeName({ databaseName: target }) },
    labels,
    clones: () => stagingCloneBackend(deps, { wait: true }),
    network,
  });
}

/** psql from a container on the project's network, as `user` (its derived password), on `database`. */
async function probe(host: ManagedPostgres, user: string, database: string): Promise<{ exitCode: number; output: string }> {
  const lines: string[] = [];
  const creds = databaseCredentials(host, user);
  const run = await runToCompletion({
    docker,
    spec: {
      image,
      labels: { ...labels, role: "probe" },
      entrypoint: ["psql"],
      cmd: ["-h", host.hostForBuilds, "-U", user, "-d", database, "-Atc", "SELECT count(*) FROM line"],
      env: { PGPASSWORD: creds.password, PGCONNECT_TIMEOUT: "5" },
      network,
      user: "postgres",
    },
    timeoutMs: 60_000,
    onLine: (l) => void lines.push(l.line),
  });
  return { exitCode: run.exitCode, output: lines.join("\n") };
}

beforeAll(async () => {
  primary = await ensureManagedPostgres({
    docker,
    image,
    home,
    containerName: `slipway-test-clonepg-${tag}`,
    volumeName: `slipway-test-clonepg-data-${tag}`,
    labels,
  });
  await ensureNetwork({ docker, name: network, internal: true, labels: { ...labels, role: "project-network" } });
  for (const name of [prod, other]) {
    await createDatabase({ pg: primary, name });
    await withClient({ pg: primary, database: name }, async (c) => {
      await c.query(`SET ROLE ${ident(name)}`);
      await c.query("CREATE TABLE line (id serial PRIMARY KEY, note text)");
      await c.query("INSERT INTO line (note) SELECT 'row ' || g FROM generate_series(1, 1000) g");
    });
  }
  await ensureVolume({ docker, name: volumeName({ databaseName: prod }), labels: { ...labels, role: "odoo-data" } });
  // The standby is made once (a base backup); copies then cost the same whatever the size.
  const backend = await stagingCloneBackend(cloneDeps, { wait: true });
  expect(backend.ok, backend.ok ? "" : backend.reason).toBe(true);
}, 240_000);

afterAll(async () => {
  for (const db of [`${prod}--stg-1`, `${prod}--stg-2`, `${prod}--stg-4`]) await dropStagingClone(cloneDeps, db).catch(() => undefined);
  const backend = await stagingCloneBackend(cloneDeps).catch(() => null);
  if (backend?.ok) await removeStandby({ docker, primary, storage: backend.storage }).catch(() => undefined);
  await removeContainers({ docker, labels });
  await removeVolumes({ docker, labels });
  await removeNetworks({ docker, labels });
  const mountpoint = join(home, "odoo-postgres", "clones");
  try {
    execFileSync("umount", [mountpoint]);
  } catch {
    // not mounted
  }
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe("staging clones (ADR 0009)", () => {
  it("copies CURRENT production: a row written one second before the copy is in the clone, in its own cluster", async () => {
    await queryDatabase({ pg: primary, database: prod, sql: "INSERT INTO line (note) VALUES ('one second before')" });
    await new Promise((r) => setTimeout(r, 1_000));
    const target = `${prod}--stg-1`;
    const r = await copy(cloneDeps, target);
    expect(r.copyMode, r.fallback).toBe("clone");
    expect(r.clone!.totalMs).toBeLessThan(30_000);
    const rows = await queryDatabase<{ note: string }>({
      pg: r.pg!,
      database: target,
      sql: "SELECT note FROM line WHERE note = 'one second before'",
    });
    expect(rows).toHaveLength(1);
    // Not on the managed server: the clone is the staging database's server, and the worker finds it there.
    expect(await databaseExists({ pg: primary, name: target })).toBe(false);
    const located = await postgresFor(cloneDeps, target);
    expect(located.containerName).toBe(cloneContainerName(target));
    // Production kept running and writing throughout.
    await queryDatabase({ pg: primary, database: prod, sql: "INSERT INTO line (note) VALUES ('after')" });
    const after = await queryDatabase({ pg: r.pg!, database: target, sql: "SELECT 1 FROM line WHERE note = 'after'" });
    expect(after).toHaveLength(0);
  }, 120_000);

  it("isolation: from the project's network the staging role opens its database, and no other project's database exists or opens", async () => {
    const target = `${prod}--stg-2`;
    const r = await copy(cloneDeps, target);
    expect(r.copyMode, r.fallback).toBe("clone");
    const clonePg = r.pg!;
    // Control: the staging build's own role, its own database.
    const own = await probe(clonePg, target, target);
    expect(own.output.trim()).toBe("1002"); // 1000 + the two rows of the first test
    expect(own.exitCode).toBe(0);
    // Probes: the other project's database, with the staging role and with that project's own credentials.
    const cross = await probe(clonePg, target, other);
    expect(cross.exitCode).not.toBe(0);
    const otherRole = await probe(clonePg, other, other);
    expect(otherRole.exitCode).not.toBe(0);
    expect(otherRole.output).toMatch(/password authentication failed|does not exist|no pg_hba/);
    // Nor production's (renamed away: its role is the staging one now, with the staging password).
    const prodProbe = await probe(clonePg, prod, prod);
    expect(prodProbe.exitCode).not.toBe(0);
    const names = await queryDatabase<{ datname: string }>({
      pg: clonePg,
      database: "postgres",
      sql: "SELECT datname FROM pg_database ORDER BY 1",
    });
    expect(names.map((n) => n.datname).sort()).toEqual(["postgres", target, "template0", "template1"].sort());
    const roles = await queryDatabase<{ rolname: string }>({
      pg: clonePg,
      database: "postgres",
      sql: "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1",
    });
    expect(roles.map((x) => x.rolname).sort()).toEqual(["postgres", "slipway_admin", target].sort());
    // Removed with its build: container and snapshot.
    expect(await dropStagingClone(cloneDeps, target)).toBe(true);
    expect((await postgresFor(cloneDeps, target)).containerName).toBe(primary.containerName);
  }, 120_000);

  it("a lagging standby is waited for (bounded, the wait reported), and a stuck one is given up with the reason", async () => {
    const standby = `${primary.containerName}-standby`;
    const backend = await stagingCloneBackend(cloneDeps, { wait: true });
    if (!backend.ok) throw new Error(backend.reason);
    // The standby stops replaying (as when it is far behind after a bulk load); production writes.
    await execSuperuser(docker, standby, "SELECT pg_wal_replay_pause();");
    let resumed = false;
    try {
      await queryDatabase({
        pg: primary,
        database: prod,
        sql: "INSERT INTO line (note) SELECT 'lagged ' || g FROM generate_series(1, 2000) g",
      });
      // Stuck: no progress for the stall bound → given up, saying how far behind it is.
      const stuck = await waitForReplay({ primary, standby: backend.standby.pg, timeoutMs: 20_000, stallMs: 1_000 });
      expect(stuck.ok).toBe(false);
      expect(stuck.lagBytes).toBeGreaterThan(0);
      expect(stuck.reason).toMatch(/did not move for 1 s/);
      expect(stuck.waitedMs).toBeGreaterThanOrEqual(1_000);
      expect(stuck.waitedMs).toBeLessThan(5_000);
      // Catching up (replay resumed 2 s into the copy): the copy waits instead of falling back.
      const target = `${prod}--stg-4`;
      const resume = new Promise((r) => setTimeout(r, 2_000)).then(async () => {
        await execSuperuser(docker, standby, "SELECT pg_wal_replay_resume();");
        resumed = true;
      });
      const r = await copy(cloneDeps, target);
      await resume;
      expect(r.copyMode, r.fallback).toBe("clone");
      expect(r.clone!.catchUpMs).toBeGreaterThanOrEqual(1_500);
      expect(r.clone!.lagBytes).toBeGreaterThan(0);
      const rows = await queryDatabase<{ n: string }>({
        pg: r.pg!,
        database: target,
        sql: "SELECT count(*) AS n FROM line WHERE note LIKE 'lagged %'",
      });
      expect(Number(rows[0]!.n)).toBe(2000);
      expect(await dropStagingClone(cloneDeps, target)).toBe(true);
    } finally {
      if (!resumed) await execSuperuser(docker, standby, "SELECT pg_wal_replay_resume();").catch(() => undefined);
    }
  }, 120_000);

  it("falls back to pg_dump | pg_restore on a filesystem that cannot snapshot, says why, and copies correctly", async () => {
    const ext = mkdtempSync(join(home, "ext-"));
    const deps = depsWith({ mode: "auto", storageDir: ext, loopSizeGb: 4 });
    const target = `${prod}--stg-3`;
    await queryDatabase({ pg: primary, database: prod, sql: "INSERT INTO line (note) VALUES ('before fallback')" });
    const r = await copy(deps, target);
    expect(r.copyMode).toBe("dump");
    expect(r.fallback).toMatch(/cannot take snapshots/);
    expect(r.pg).toBeUndefined();
    const rows = await queryDatabase({ pg: primary, database: target, sql: "SELECT 1 FROM line WHERE note = 'before fallback'" });
    expect(rows).toHaveLength(1);
    expect((await postgresFor(deps, target)).containerName).toBe(primary.containerName);
  }, 120_000);
});
