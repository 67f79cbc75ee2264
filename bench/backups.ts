// Benchmark of backups (issues 6, 18). Prints figures and a summary table with the goals of
// issue 18 ("goal met" column); asserts nothing.
//   npm run services:up
//   node --env-file=.slipway/env --import tsx bench/backups.ts [dbMiB=1024] [filestoreMiB=1024] [retained=14] [churn=0.01] [files=10000] [restoreRounds=3]
// 1. Backup throughput of Slipway (snapshot pg_dump -Fc in a container + content-addressed
//    filestore + manifest) against the same work by hand in the same run: `pg_dump -Fc` to a file
//    and `tar -cf` of the filestore, each in a one-off container.
// 2. Restore throughput: Slipway's load (pg_restore from the store + filestore from objects) and the
//    whole restore (safety backup + swap), against `pg_restore -d` + `tar -xf` by hand. The load and
//    by hand run in interleaved rounds (which goes first alternates), after a `sync` each, and the
//    medians are compared: one pair on this disk swings by ±30 % (writeback, page cache).
// 3. Bytes stored for N retained daily backups with a daily churn (that share of the filestore's
//    files deleted and as many added, that share of the rows inserted), against one full copy
//    (pg_dump -Fc + tar) and N full copies.
// 4. Production's latency while a backup runs, next to idle: a small bounded load over loopback
//    (one client, one request every 50 ms; a request = the queries of an Odoo form view: one row by
//    primary key and a 20-row list), p50/p95.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadWorkerConfig } from "@slipway/config";
import { createTemporaryDatabase } from "@slipway/db/testing";
import { volumeName } from "@slipway/domain";
import { removeNetworks, runStreaming, type ContainerSpec } from "@slipway/docker";
import { createWorkerDeps } from "../apps/worker/src/create-deps";
import { removeProjectNetwork } from "../apps/worker/src/isolation/project-network";
import { createDatabase, databaseCredentials, dropDatabase, ensureManagedPostgres, ident, withClient } from "../apps/worker/src/postgres";
import { createBackup } from "../apps/worker/src/backups/create-backup";
import { toolsContextOf } from "../apps/worker/src/backups/engine/context";
import { moveFilestores } from "../apps/worker/src/backups/engine/filestore-volume";
import { loadBackup } from "../apps/worker/src/backups/engine/load-backup";
import { sweepObjects } from "../apps/worker/src/backups/prune-backups";
import type { BackupManifest } from "../apps/worker/src/backups/engine/manifest";
import { restoreBackup } from "../apps/worker/src/backups/restore-backup";
import { LocalBackupStore } from "../apps/worker/src/backups/store/local-store";
import { addAttachments, cleanupBackupTests, createBackupProject } from "../apps/worker/src/backups/testing/backup-fixture";

const dbMiB = Number(process.argv[2] ?? 1024);
const fsMiB = Number(process.argv[3] ?? 1024);
const retained = Number(process.argv[4] ?? 14);
const churn = Number(process.argv[5] ?? 0.01);
const fileCount = Number(process.argv[6] ?? 10_000);
const restoreRounds = Math.max(1, Number(process.argv[7] ?? 3));
/** The filestore as issue 18 measures it: `fileCount` random files (1 GiB in 10,000 files of ~105 KB). */
const FILE_BYTES = Math.max(1, Math.round((fsMiB * 1024 ** 2) / fileCount));
const MiB = 1024 ** 2;
const labels = { test: "bench-backups" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-bench-backups-"));
chmodSync(tmp, 0o777);

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
const size = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`);
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await fn();
  return [v, Date.now() - t];
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
/** Latencies (ms) of "requests" against `database` while `running()` holds (at least `minMs`). */
async function probeLatency(
  pgInfo: Parameters<typeof withClient>[0]["pg"],
  database: string,
  maxId: number,
  running: () => boolean,
  minMs = 0,
): Promise<number[]> {
  const out: number[] = [];
  const start = Date.now();
  let errors = 0;
  while (running() || Date.now() - start < minMs) {
    // A broken connection (the server busy or restarted) counts as an error, then reconnects.
    await withClient({ pg: pgInfo, database }, async (c) => {
      c.on("error", () => undefined);
      while (running() || Date.now() - start < minMs) {
        const t = performance.now();
        await c.query("SELECT id, n, payload FROM bench_data WHERE id = $1", [1 + Math.floor(Math.random() * maxId)]);
        await c.query("SELECT id, name FROM res_partner ORDER BY id LIMIT 20");
        const ms = performance.now() - t;
        out.push(ms);
        await new Promise((r) => setTimeout(r, Math.max(0, 50 - ms)));
      }
    }).catch(() => errors++);
  }
  if (errors > 0) console.log(`   (latency probe: ${errors} connection errors)`);
  return out;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const latency = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms (${xs.length} requests)`;

async function du(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await du(p) : (await stat(p)).size;
  }
  return total;
}

const db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
const baseDeps = createWorkerDeps({
  config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url }),
  logger: pino({ level: "silent" }),
});
// Its own managed PostgreSQL server (same image and code path as slipway-postgres), so nothing
// else running on the machine shares or disturbs the server being measured.
const tag = randomBytes(3).toString("hex");
const ownPg = ensureManagedPostgres({
  docker: baseDeps.docker,
  image: baseDeps.config.odooPgImage,
  home: tmp,
  containerName: `slipway-test-bkbench-pg-${tag}`,
  volumeName: `slipway-test-bkbench-pg-${tag}`,
  platformNetwork: `slipway-test-bkbench-platform-${tag}`,
  toolsNetwork: `slipway-test-bkbench-tools-${tag}`,
  labels,
});
const deps = { ...baseDeps, postgres: () => ownPg };
const store = new LocalBackupStore(join(tmp, "store"));
let databases: string[] = [];
let projectSlug: string | null = null;
try {
  console.log(
    `backups benchmark: database ${dbMiB} MiB, filestore ${fsMiB} MiB (${fileCount} files of ${(FILE_BYTES / 1024).toFixed(0)} KiB), ${retained} retained, churn ${churn * 100} %/day`,
  );
  console.log(`machine: load average ${load()} at the start`);
  const fixture = await createBackupProject(deps, { labels });
  const { production, pg } = fixture;
  projectSlug = fixture.project.slug;
  const database = production.database;
  const volume = volumeName({ databaseName: database });
  databases = [database];
  const ctx = await toolsContextOf(deps, labels);
  // By hand as Slipway's tools containers log in: the role of the one database worked on, on the
  // tools network; `null`: no database, no network.
  const byHand = async (role: string, cmd: string[], mounts: ContainerSpec["mounts"], db: string | null) => {
    const creds = db ? databaseCredentials(pg, db) : null;
    const env: Record<string, string> = creds
      ? { PGHOST: creds.host, PGPORT: String(creds.port), PGUSER: creds.user, PGPASSWORD: creds.password }
      : {};
    const network = creds ? pg.toolsNetwork : "none";
    const run = await runStreaming({
      docker: deps.docker,
      spec: {
        image: ctx.image,
        user: "0:0",
        entrypoint: cmd.slice(0, 1),
        cmd: cmd.slice(1),
        env,
        mounts,
        network,
        labels: { ...labels, role },
      },
    });
    if (run.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${run.stderr}`);
  };

  // Data: a table of random text up to the size, and random attachments named like Odoo's.
  const [, fillMs] = await timed(async () => {
    await withClient({ pg, database }, async (c) => {
      // Owned by the database's own role, like Odoo's tables (its role dumps and restores it).
      await c.query(`SET ROLE ${ident(database)}`);
      await c.query("CREATE TABLE bench_data (id bigserial PRIMARY KEY, n int, payload text)");
      while (Number((await c.query<{ s: string }>("SELECT pg_database_size(current_database())::text AS s")).rows[0]!.s) < dbMiB * MiB) {
        await c.query(
          "INSERT INTO bench_data (n, payload) SELECT i, md5(random()::text) || repeat(md5(random()::text), 8) FROM generate_series(1, 100000) i",
        );
      }
      await c.query("VACUUM ANALYZE bench_data");
    });
    await addAttachments(deps, { database, count: fileCount, size: FILE_BYTES, labels });
  });
  const dbBytes = await withClient({ pg, database }, async (c) =>
    Number((await c.query<{ s: string }>("SELECT pg_database_size(current_database())::text AS s")).rows[0]!.s),
  );
  const rowCount = await withClient({ pg, database }, async (c) =>
    Number((await c.query<{ n: string }>("SELECT max(id)::text AS n FROM bench_data")).rows[0]!.n),
  );
  console.log(`setup: ${size(dbBytes)} database (${rowCount} rows), filestore written in ${secs(fillMs)}`);

  // 1. Backup, with the latency probe running against production meanwhile (and idle before).
  const idleLatency = await probeLatency(pg, database, rowCount, () => false, 10_000);
  let backingUp = true;
  const duringProbe = probeLatency(pg, database, rowCount, () => backingUp);
  const [first, backupMs] = await timed(() =>
    createBackup({ deps, store, branchId: production.branch.id, kind: "daily", now: new Date(Date.UTC(2026, 0, 1, 2)) }).finally(
      () => (backingUp = false),
    ),
  );
  const backupLatency = await duringProbe;
  const m = first.manifest as unknown as BackupManifest;
  const payload = dbBytes + m.filestore.bytes;
  const [, dumpMs] = await timed(() =>
    byHand(
      "bench-pg-dump",
      ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file=/out/dump.pgc", database],
      [{ type: "bind", source: tmp, target: "/out" }],
      database,
    ).then(() => undefined),
  );
  const [, tarMs] = await timed(() =>
    byHand(
      "bench-tar",
      ["tar", "-cf", "/out/filestore.tar", "-C", `/data/filestore/${database}`, "."],
      [
        { type: "bind", source: tmp, target: "/out" },
        { type: "volume", source: volume, target: "/data", readOnly: true },
      ],
      null,
    ),
  );
  const handDump = statSync(join(tmp, "dump.pgc")).size;
  const handTar = statSync(join(tmp, "filestore.tar")).size;
  console.log("\n1. backup (database + filestore)");
  console.log(
    `   slipway                 ${secs(backupMs)}  ${rate(payload, backupMs)}  (dump + row counts ${secs(m.durations?.dumpMs ?? 0)} → ${size(m.dump.size)} in ${m.dump.chunks?.count ?? 0} chunks, ${size(m.dump.chunks?.newStoredBytes ?? 0)} stored; rows counted from the ${m.rowCounts ?? "sql"}; filestore ${secs(m.durations?.filestoreMs ?? 0)} → ${m.filestore.files} files ${size(m.filestore.bytes)})`,
  );
  console.log(
    `   pg_dump -Fc + tar       ${secs(dumpMs + tarMs)}  ${rate(payload, dumpMs + tarMs)}  (pg_dump ${secs(dumpMs)} → ${size(handDump)}, tar ${secs(tarMs)} → ${size(handTar)})`,
  );
  console.log(`   ratio                   ${((backupMs / (dumpMs + tarMs)) * 100).toFixed(0)} % of the by-hand time`);

  // 2. Restore.
  const slipwayLoad = async () => {
    const scratch = `slipway_bench_${randomBytes(4).toString("hex")}`;
    const dir = `.bench-${randomBytes(4).toString("hex")}`;
    const [, ms] = await timed(() => loadBackup({ store, ctx, manifest: m, database: scratch, filestore: { volume, dir } }));
    await dropDatabase({ pg, name: scratch });
    await moveFilestores({ ctx, volume, moves: [], remove: [dir] });
    return ms;
  };
  const handRestore = async () => {
    const handDb = `slipway_bench_${randomBytes(4).toString("hex")}`;
    const dir = `.bench-${randomBytes(4).toString("hex")}`;
    const [, ms] = await timed(async () => {
      // Empty, UTF-8, C collation, its own role: as Slipway's load creates its scratch database.
      await createDatabase({ pg, name: handDb });
      await byHand(
        "bench-pg-restore",
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", handDb, "/out/dump.pgc"],
        [{ type: "bind", source: tmp, target: "/out", readOnly: true }],
        handDb,
      );
      await byHand(
        "bench-untar",
        ["sh", "-c", `mkdir -p /data/filestore/${dir} && tar -xf /out/filestore.tar -C /data/filestore/${dir}`],
        [
          { type: "bind", source: tmp, target: "/out", readOnly: true },
          { type: "volume", source: volume, target: "/data" },
        ],
        null,
      );
    });
    await dropDatabase({ pg, name: handDb });
    await moveFilestores({ ctx, volume, moves: [], remove: [dir] });
    return ms;
  };
  const loads: number[] = [];
  const hands: number[] = [];
  for (let round = 0; round < restoreRounds; round++) {
    // Each side starts with the earlier writes on disk, not in writeback.
    const sides = [async () => loads.push(await slipwayLoad()), async () => hands.push(await handRestore())];
    for (const side of round % 2 === 0 ? sides : sides.reverse()) {
      execFileSync("sync");
      await side();
    }
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const loadMs = median(loads);
  const handRestoreMs = median(hands);
  const [restored, fullMs] = await timed(() => restoreBackup({ deps, store, backupId: first.id, targetBranchId: production.branch.id }));
  // The safety backup is not part of the retention scenario below.
  await store.delete(`backups/${restored.safetyBackupId}`);
  await deps.prisma.backup.delete({ where: { id: restored.safetyBackupId } });
  await sweepObjects({ deps, store, graceMs: 0 });
  console.log("\n2. restore");
  console.log(
    `   slipway load            ${secs(loadMs)}  ${rate(payload, loadMs)}  (median of ${restoreRounds}; pg_restore from the store + filestore from objects, beside the live database)`,
  );
  console.log(`   pg_restore + tar -x     ${secs(handRestoreMs)}  ${rate(payload, handRestoreMs)}`);
  console.log(`   rounds (median above)   slipway ${loads.map(secs).join(", ")}; by hand ${hands.map(secs).join(", ")}`);
  console.log(`   ratio                   ${((loadMs / handRestoreMs) * 100).toFixed(0)} % of the by-hand time`);
  console.log(`   slipway whole restore   ${secs(fullMs)}  (load + safety backup + swap; the server is down only during the swap)`);
  rmSync(join(tmp, "filestore.tar"), { force: true });

  // 3. Retention: N daily backups with churn; the store against N full copies.
  const perDay = Math.max(1, Math.round(m.filestore.files * churn));
  const fullCopies: number[] = [handDump + handTar];
  const times: number[] = [];
  for (let day = 1; day < retained; day++) {
    await byHand(
      "bench-churn",
      ["sh", "-c", `cd /data/filestore/${database} && find . -type f -name '[0-9a-f]*' | shuf -n ${perDay} | xargs -r rm -f`],
      [{ type: "volume", source: volume, target: "/data" }],
      null,
    );
    await addAttachments(deps, { database, count: perDay, size: FILE_BYTES, labels });
    await withClient({ pg, database }, async (c) => {
      await c.query(`SET ROLE ${ident(database)}`);
      await c.query(
        "INSERT INTO bench_data (n, payload) SELECT i, md5(random()::text) || repeat(md5(random()::text), 8) FROM generate_series(1, $1::int) i",
        [Math.round(rowCount * churn)],
      );
    });
    const [b, ms] = await timed(() =>
      createBackup({ deps, store, branchId: production.branch.id, kind: "daily", now: new Date(Date.UTC(2026, 0, 1 + day, 2)) }),
    );
    const bm = b.manifest as unknown as BackupManifest;
    times.push(ms);
    fullCopies.push(bm.dump.size + bm.filestore.bytes);
  }
  const daily = await deps.prisma.backup.findMany({
    where: { branchId: production.branch.id, kind: "daily", state: "done" },
    select: { manifest: true },
  });
  const dumps = await du(join(tmp, "store", "chunks"));
  const objects = await du(join(tmp, "store", "objects"));
  const stored = await du(join(tmp, "store"));
  const oneFull = handDump + handTar;
  const full = retained * oneFull;
  console.log(
    `\n3. ${daily.length} retained daily backups, ${perDay} files (${churn * 100} %) replaced and ${Math.round(rowCount * churn)} rows (${churn * 100} %) inserted per day`,
  );
  console.log(
    `   incremental backup      median ${secs([...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0)} (unchanged files listed, not read)`,
  );
  console.log(
    `   stored by slipway       ${size(stored)} (dump chunks ${size(dumps)}, filestore objects ${size(objects)}, chunk lists + indexes + manifests ${size(stored - dumps - objects)})`,
  );
  console.log(`   one full backup         ${size(oneFull)} (pg_dump -Fc + tar)`);
  console.log(`   ${retained} full copies          ${size(full)}`);
  console.log(
    `   saving                  ${((1 - stored / full) * 100).toFixed(0)} % (filestore alone: ${size(objects)} vs ${size(fullCopies.length * m.filestore.bytes)})`,
  );

  console.log("\n4. production latency (loopback, 1 client, a request every 50 ms)");
  console.log(`   idle                    ${latency(idleLatency)}`);
  console.log(`   during the backup       ${latency(backupLatency)}`);

  const handBackupMs = dumpMs + tarMs;
  const speed = handBackupMs / backupMs;
  const restoreRatio = loadMs / handRestoreMs;
  const storageRatio = stored / oneFull;
  const yes = (ok: boolean) => (ok ? "yes" : "NO");
  const rows: [string, string, string, string, string][] = [
    ["Figure", "Slipway", "Baseline", "Goal", "Goal met"],
    [
      `Backup, ${size(dbBytes)} DB + ${size(m.filestore.bytes)} filestore`,
      `${secs(backupMs)} (${speed.toFixed(2)}× the baseline's speed)`,
      `${secs(handBackupMs)} (pg_dump -Fc + tar)`,
      "≥ 0.9× the baseline's speed",
      yes(speed >= 0.9),
    ],
    [
      "Restore (load)",
      `${secs(loadMs)} (${restoreRatio.toFixed(2)}×)`,
      `${secs(handRestoreMs)} (pg_restore + tar -x)`,
      "≤ 1.1× the baseline",
      yes(restoreRatio <= 1.1),
    ],
    [
      `${daily.length} retained backups, ${churn * 100} % daily churn`,
      `${size(stored)} (${storageRatio.toFixed(2)}× one full backup)`,
      `${size(full)} (${retained} full copies; one: ${size(oneFull)})`,
      "≤ 1.5× one full backup",
      yes(storageRatio <= 1.5),
    ],
    [
      "Production latency p50 / p95",
      `${pct(backupLatency, 0.5).toFixed(1)} / ${pct(backupLatency, 0.95).toFixed(1)} ms during a backup`,
      `${pct(idleLatency, 0.5).toFixed(1)} / ${pct(idleLatency, 0.95).toFixed(1)} ms idle`,
      "reported next to idle",
      "reported",
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log("\nSummary (issue 18)");
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`);
    if (i === 0) console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  }
  console.log(`\nmachine: load average ${load()} at the end (2 cores shared with other work)`);
} finally {
  await cleanupBackupTests(deps, { databases, labels });
  // The project's network (made by the fixture, labelled by project): its server is gone by now.
  if (projectSlug) await removeProjectNetwork({ docker: deps.docker, pg: await ownPg, slug: projectSlug }).catch(() => undefined);
  await removeNetworks({ docker: deps.docker, labels });
  await deps.redis.quit().catch(() => undefined);
  await deps.queues.close().catch(() => undefined);
  await deps.prisma.$disconnect();
  await db.drop();
  rmSync(tmp, { recursive: true, force: true });
}
// Handles nobody closes (the compression threads are unref()ed, but pools and sockets of the
// dependencies may not be) must not keep a finished benchmark alive.
process.exit(0);
