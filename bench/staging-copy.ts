// Benchmark of the staging copy (issue 18, ADR 0009; earlier figures in ADR 0002). Prints figures; asserts nothing.
//   node --env-file=.slipway/env --import tsx bench/staging-copy.ts [sizesMB=1024,4096] [filestoreMB=1024] [files=10000] [cloneRuns=3]
// Runs on a managed PostgreSQL server of its own (same image and access model as the platform's,
// `benchstg<random>-pg`) with its streaming standby on a loop-mounted btrfs image (as the worker
// makes it), so nothing of the shared server is touched. For each database size, a "production"
// database filled with generate_series rows (primary key) and a filestore of `files` files; then:
//   - baseline: pg_dump | pg_restore + `cp -r` of the filestore;
//   - fallback (today's default, ADR 0002): pg_dump | pg_restore + hard links (copyProductionForStagingBuild, no clone storage);
//   - clone (ADR 0009): standby snapshot → own cluster, promoted, isolated + hard links (same function, clones on);
//   - production latency: a bounded loopback load (one connection, one request every 20 ms: a primary-key
//     read, every 5th an UPDATE) against production, idle and during each copy.
// Everything it creates is named `benchstg<random>…` and removed at the end.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  connectDocker,
  ensureNetwork,
  ensureVolume,
  listVolumes,
  removeContainers,
  removeNetworks,
  removeVolume,
  runToCompletion,
} from "@slipway/docker";
import { volumeName } from "@slipway/domain";
import { copyProductionForStagingBuild, dumpRestore } from "../apps/worker/src/odoo/staging-source";
import {
  cloneStorageStatus,
  createDatabase,
  databaseSize,
  dropDatabase,
  ensureManagedPostgres,
  ensureStandby,
  execSuperuser,
  ident,
  removeClone,
  removeStandby,
  waitForReplay,
  withClient,
  type CloneStorage,
  type ManagedPostgres,
  type Standby,
} from "../apps/worker/src/postgres";

const sizesMb = (process.argv[2] ?? "1024,4096").split(",").map(Number);
const filestoreMb = Number(process.argv[3] ?? 1024);
const files = Number(process.argv[4] ?? 10000);
const cloneRuns = Number(process.argv[5] ?? 3);
const tag = `benchstg${randomBytes(3).toString("hex")}`;
const labels = { bench: tag };
const image = process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15";
const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const home = mkdtempSync(join(tmpdir(), `${tag}-`));
const network = `${tag}-net`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = Date.now();
  const r = await fn();
  return [Date.now() - t, r];
}

async function shell(
  script: string,
  mounts: { type: "volume" | "bind"; source: string; target: string }[],
  env: Record<string, string> = {},
) {
  const run = await runToCompletion({
    docker,
    spec: { image, labels: { ...labels, role: "bench" }, entrypoint: ["sh", "-c", script], user: "0:0", env, mounts },
    timeoutMs: 60 * 60_000,
  });
  if (run.exitCode !== 0) throw new Error(`helper exited ${run.exitCode}: ${script.slice(0, 80)}`);
  return run.durationMs;
}

/** A database of about `sizeMb` (rows of ~330 bytes with a primary key, plus Odoo's parameter table). */
async function makeProduction(pgc: ManagedPostgres, name: string, sizeMb: number): Promise<{ bytes: number; rows: number }> {
  await createDatabase({ pg: pgc, name });
  const rows = Math.round((sizeMb * 1024 ** 2) / 330);
  await withClient({ pg: pgc, database: name }, async (c) => {
    await c.query(`SET ROLE ${ident(name)}`);
    await c.query("CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, value text)");
    await c.query("INSERT INTO ir_config_parameter (key, value) VALUES ('database.uuid', gen_random_uuid()::text), ('bench.tick', '0')");
    await c.query("CREATE TABLE bench_line (id bigint PRIMARY KEY, ref text, payload text, qty int, created timestamp)");
    const step = 2_000_000;
    for (let from = 1; from <= rows; from += step) {
      const to = Math.min(rows, from + step - 1);
      await c.query(
        `INSERT INTO bench_line SELECT g, md5(g::text), repeat(md5((g * 7)::text), 7), g % 1000, now() - (g || ' seconds')::interval FROM generate_series(${from}, ${to}) g`,
      );
    }
    await c.query("VACUUM ANALYZE bench_line");
  });
  return { bytes: await databaseSize({ pg: pgc, name }), rows };
}

interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A bounded load against production while `during` runs (or for `ms`): latencies of each request. */
async function underLoad<T>(pgc: ManagedPostgres, database: string, rows: number, during: () => Promise<T>): Promise<[Latency, T]> {
  const client = new pg.Client({ host: pgc.host, port: pgc.port, user: pgc.admin.user, password: pgc.admin.password, database });
  await client.connect();
  const lat: number[] = [];
  let stop = false;
  const loop = (async () => {
    let i = 0;
    while (!stop) {
      const t = performance.now();
      if (i % 5 === 4) await client.query("UPDATE ir_config_parameter SET value = $1 WHERE key = 'bench.tick'", [String(i)]);
      else await client.query("SELECT payload FROM bench_line WHERE id = $1", [1 + Math.floor(Math.random() * rows)]);
      lat.push(performance.now() - t);
      i++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const r = await during();
    return [stats(lat), r];
  } finally {
    stop = true;
    await loop;
    await client.end();
  }
}

function stats(xs: number[]): Latency {
  const v = [...xs].sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))] ?? NaN;
  return { n: v.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: v[v.length - 1] ?? NaN };
}
const lt = (l: Latency) =>
  `p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms (n=${l.n})`;

/** Waits (unbounded, for the bench) until the standby has replayed production's WAL, then a restartpoint. */
async function catchUp(standby: Standby, after: string): Promise<void> {
  const r = await waitForReplay({ primary: primary!, standby: standby.pg, timeoutMs: 60 * 60_000, stallMs: 5 * 60_000 });
  if (!r.ok) throw new Error(`the standby did not catch up after ${after}: ${r.reason}`);
  const [rpMs] = await timed(() => execSuperuser(docker, standby.containerName, "CHECKPOINT;"));
  console.log(
    `standby caught up ${(r.lagBytes / 1024 ** 2).toFixed(0)} MB of WAL in ${s(r.waitedMs)} after ${after}; restartpoint ${s(rpMs)}`,
  );
}

let primary: ManagedPostgres | null = null;
let storage: CloneStorage | null = null;
const rowsOut: string[] = [];
const latOut: string[] = [];
try {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}; ${tag}`,
  );
  primary = await ensureManagedPostgres({
    docker,
    image,
    home,
    containerName: `${tag}-pg`,
    volumeName: `${tag}-pg-data`,
    labels,
  });
  await ensureNetwork({ docker, name: network, internal: true, labels: { ...labels, role: "project-network" } });
  const st = await cloneStorageStatus({ stateDir: join(home, "odoo-postgres"), loopSizeGb: 64 });
  if (!st.ok) throw new Error(st.reason);
  storage = st.storage;
  // The standby first: production's data then streams to it as it is written (steady state).
  const [standbyMs, standby] = await timed(() => ensureStandby({ docker, image, primary: primary!, storage: storage!, labels }));
  console.log(`standby ready in ${s(standbyMs)} (btrfs ${storage.source})`);

  for (const sizeMb of sizesMb) {
    const prod = `${tag}p${sizeMb}`;
    const prodVolume = volumeName({ databaseName: prod });
    const [fillMs, made] = await timed(() => makeProduction(primary!, prod, sizeMb));
    // A checkpoint, as production has one at least every checkpoint_timeout: the clone's recovery replays the WAL since.
    await execSuperuser(docker, primary.containerName, "CHECKPOINT;");
    // The bulk load leaves the standby behind (gigabytes of WAL to replay): it catches up first, then
    // a restartpoint, so the timed copies measure the steady state (a copy would wait for it, bounded).
    await catchUp(standby, "the load");
    await ensureVolume({ docker, name: prodVolume, labels: { ...labels, role: "odoo-data" } });
    const perFile = Math.max(1, Math.round((filestoreMb * 1024) / files));
    const [genMs] = await timed(() =>
      shell(
        `set -e; d=/data/filestore/$DB; mkdir -p $d; i=0; while [ $i -lt $N ]; do h=$(printf '%040x' $i); mkdir -p $d/$(echo $h | cut -c39-40); head -c \${KB}K /dev/urandom > $d/$(echo $h | cut -c39-40)/$h; i=$((i+1)); done; chown -R 101:101 /data`,
        [{ type: "volume", source: prodVolume, target: "/data" }],
        { DB: prod, N: String(files), KB: String(perFile) },
      ),
    );
    console.log(
      `\n== database ${mb(made.bytes)} (filled in ${s(fillMs)}), filestore ${files} files × ${perFile} KB (made in ${s(genMs)}) ==`,
    );
    const idle = (await underLoad(primary, prod, made.rows, () => new Promise((r) => setTimeout(r, 10_000))))[0];
    console.log(`production latency idle: ${lt(idle)}`);

    // Baseline: pg_dump | pg_restore + cp -r.
    const baseline = `${prod}--base`;
    const baselineVolume = volumeName({ databaseName: baseline });
    await ensureVolume({ docker, name: baselineVolume, labels: { ...labels, role: "odoo-data" } });
    const [dumpMs] = await timed(() => dumpRestore({ docker, pg: primary!, source: prod, target: baseline }));
    const prodMount = (await listVolumes({ docker, labels })).find((v) => v.name === prodVolume)!.mountpoint;
    const root = prodMount.replace(/\/[^/]+\/_data$/, "");
    const cpMs = await shell(`set -e; mkdir -p "$DST"; cp -r "$SRC" "$DST/"`, [{ type: "bind", source: root, target: "/volumes" }], {
      SRC: `/volumes/${prodVolume}/_data/filestore/${prod}`,
      DST: `/volumes/${baselineVolume}/_data/filestore`,
    });
    await dropDatabase({ pg: primary, name: baseline });
    await removeVolume({ docker, name: baselineVolume });

    const copyTo = (target: string, clones: boolean, sb: Standby) =>
      copyProductionForStagingBuild({
        docker,
        pg: primary!,
        toolsImage: image,
        cloneImage: image,
        database: prod,
        volume: prodVolume,
        maxAgeMs: 0,
        target: { database: target, volume: volumeName({ databaseName: target }) },
        labels,
        network,
        clones: async () => (clones ? { ok: true, storage: storage!, standby: sb } : { ok: false, reason: "bench: fallback measured" }),
      });

    // Fallback (today's default): pg_dump | pg_restore + hard links.
    const fb = `${prod}--fb`;
    const [fbLat, [fbMs, fbCopy]] = await underLoad(primary, prod, made.rows, () => timed(() => copyTo(fb, false, standby)));
    if (fbCopy.copyMode !== "dump") throw new Error(`fallback measured ${fbCopy.copyMode}`);
    await dropDatabase({ pg: primary, name: fb });
    await removeVolume({ docker, name: volumeName({ databaseName: fb }) });

    // The baseline's and the fallback's restores (and drops) wrote as much WAL again: replayed first.
    await catchUp(standby, "the baseline and fallback copies");
    // Clone: standby snapshot in its own cluster + hard links (median of cloneRuns).
    const cloneMs: number[] = [];
    const parts: string[] = [];
    let cloneLat: Latency | null = null;
    for (let i = 1; i <= cloneRuns; i++) {
      const target = `${prod}--cl${i}`;
      const [l, [ms, c]] = await underLoad(primary, prod, made.rows, () => timed(() => copyTo(target, true, standby)));
      if (c.copyMode !== "clone") throw new Error(`clone fell back: ${c.fallback}`);
      cloneMs.push(ms);
      cloneLat ??= l;
      const t = c.clone!;
      parts.push(
        `catch-up ${t.catchUpMs} (${(t.lagBytes / 1024).toFixed(0)} KB behind) + restartpoint ${t.restartpointMs} + wait ${t.waitMs} + snapshot ${t.snapshotMs} + start ${t.startMs} + promote&isolate ${t.promoteMs} + network ${t.isolateMs} ms; links ${c.copyMs} ms (parallel)`,
      );
      await removeClone({ docker, storage, database: target });
      await removeVolume({ docker, name: volumeName({ databaseName: target }) });
    }
    const clone = median(cloneMs);
    const base = dumpMs + cpMs;
    console.log(`baseline pg_dump|pg_restore ${s(dumpMs)} + cp -r ${s(cpMs)} = ${s(base)}`);
    console.log(`fallback ${s(fbMs)} (${fbCopy.filestoreMode})`);
    console.log(`clone runs ${cloneMs.map(s).join(", ")} → median ${s(clone)}\n  ${parts.join("\n  ")}`);
    console.log(`latency during fallback copy: ${lt(fbLat)}\nlatency during clone: ${lt(cloneLat!)}`);
    const tenfold = base / clone >= 10;
    const met = clone <= 3000 && (sizeMb > 1024 || tenfold);
    rowsOut.push(
      `| ${mb(made.bytes)} | ${s(base)} | ${s(fbMs)} (${(base / fbMs).toFixed(1)}×) | **${s(clone)}** (${(base / clone).toFixed(1)}×; runs ${cloneMs.map(s).join(", ")}) | ${met ? "yes" : "no"} (≤ 3 s: ${clone <= 3000 ? "yes" : "no"}${sizeMb <= 1024 ? `; ≥ 10×: ${tenfold ? "yes" : "no"}` : ""}) |`,
    );
    latOut.push(
      `| ${mb(made.bytes)} | ${idle.p50.toFixed(1)} / ${idle.p95.toFixed(1)} / ${idle.max.toFixed(0)} | ${fbLat.p50.toFixed(1)} / ${fbLat.p95.toFixed(1)} / ${fbLat.max.toFixed(0)} | ${cloneLat!.p50.toFixed(1)} / ${cloneLat!.p95.toFixed(1)} / ${cloneLat!.max.toFixed(0)} |`,
    );
    (globalThis as { cloneBySize?: number[] }).cloneBySize = [...((globalThis as { cloneBySize?: number[] }).cloneBySize ?? []), clone];
    await dropDatabase({ pg: primary, name: prod });
    await removeVolume({ docker, name: prodVolume });
  }
  const bySize = (globalThis as { cloneBySize?: number[] }).cloneBySize ?? [];
  const spread = bySize.length > 1 ? Math.max(...bySize) - Math.min(...bySize) : 0;
  console.log(
    `\nSummary (${new Date().toISOString()}, ${tag}, load average at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}):`,
  );
  console.log(
    "| database | baseline (pg_dump\\|pg_restore + cp -r) | fallback (pg_dump\\|pg_restore + hard links) | clone (standby snapshot + hard links) | goal met (≤ 3 s; ≥ 10× the baseline at 1 GB) |",
  );
  console.log("|---|---|---|---|---|");
  console.log(rowsOut.join("\n"));
  console.log(`size-independent: clone medians ${bySize.map(s).join(" vs ")} (spread ${s(spread)}): ${spread <= 1000 ? "yes" : "no"}`);
  console.log("\n| database | production latency idle p50 / p95 / max (ms) | during fallback copy | during clone |");
  console.log("|---|---|---|---|");
  console.log(latOut.join("\n"));
} finally {
  if (primary && storage) await removeStandby({ docker, primary, storage }).catch(() => undefined);
  await removeContainers({ docker, labels }).catch(() => undefined);
  for (const v of await listVolumes({ docker, labels }).catch(() => []))
    await removeVolume({ docker, name: v.name }).catch(() => undefined);
  await removeNetworks({ docker, labels }).catch(() => undefined);
  try {
    execFileSync("umount", [join(home, "odoo-postgres", "clones")]);
  } catch {
    // not mounted
  }
  rmSync(home, { recursive: true, force: true });
}
