// Benchmark of the staging copy (issue 5, ADR 0002). Prints figures; asserts nothing.
//   node --env-file=.slipway/env --import tsx bench/staging-copy.ts [sizesMB=100,1024] [filestoreMB=1024] [files=10000]
// For each database size: a scratch "production" database filled with generate_series rows (with a
// primary key) and a filestore of `files` random files in its data volume. Then, in the same run:
//   - staging source refresh = pg_dump | pg_restore of the live database (what a refresh costs);
//   - staging copy = CREATE DATABASE … TEMPLATE <source> (+ the FILE_COPY strategy for comparison)
//     and the filestore by hard links into the staging volume (what each staging build costs);
//   - baselines: pg_dump | pg_restore straight into a staging database, and `cp -r` of the filestore.
// Everything it creates is named `benchstg<random>…` and removed at the end.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { loadWorkerConfig } from "@slipway/config";
import { ensureVolume, listVolumes, removeVolume, runToCompletion } from "@slipway/docker";
import { volumeName } from "@slipway/domain";
import { createWorkerDeps } from "../apps/worker/src/create-deps";
import { filestoreOperation } from "../apps/worker/src/odoo/copy-filestore";
import { dumpRestore } from "../apps/worker/src/odoo/staging-source";
import { copyDatabase, createDatabase, databaseSize, dropDatabase, ident, listDatabases, withClient } from "../apps/worker/src/postgres";

const sizesMb = (process.argv[2] ?? "100,1024").split(",").map(Number);
const filestoreMb = Number(process.argv[3] ?? 1024);
const files = Number(process.argv[4] ?? 10000);
const tag = `benchstg${randomBytes(3).toString("hex")}`;
const labels = { bench: tag };

const deps = createWorkerDeps({ config: loadWorkerConfig(process.env), logger: pino({ level: "silent" }) });
const pg = await deps.postgres();
// Helpers run the platform's tools image, as the worker's own filestore helper does.
const image = deps.config.odooPgImage;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = Date.now();
  const r = await fn();
  return [Date.now() - t, r];
}

async function shell(
  script: string,
  mounts: { type: "volume" | "bind"; source: string; target: string }[],
  env: Record<string, string> = {},
): Promise<number> {
  const run = await runToCompletion({
    docker: deps.docker,
    spec: { image, labels: { ...labels, role: "bench" }, entrypoint: ["sh", "-c", script], user: "0:0", env, mounts },
    timeoutMs: 30 * 60_000,
  });
  if (run.exitCode !== 0) throw new Error(`helper exited ${run.exitCode}: ${script.slice(0, 80)}`);
  return run.durationMs;
}

/** A database of about `sizeMb` (rows of ~300 bytes with a primary key, plus Odoo-like parameters). */
async function makeProduction(name: string, sizeMb: number): Promise<number> {
  await createDatabase({ pg, name });
  const rows = Math.round((sizeMb * 1024 ** 2) / 330);
  await withClient({ pg, database: name }, async (c) => {
    // Owned by the database's own role, as Odoo's tables are (the copy dumps as that role).
    await c.query(`SET ROLE ${ident(name)}`);
    await c.query("CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, value text)");
    await c.query("INSERT INTO ir_config_parameter (key, value) VALUES ('database.uuid', gen_random_uuid()::text)");
    await c.query("CREATE TABLE bench_line (id bigint PRIMARY KEY, ref text, payload text, qty int, created timestamp)");
    await c.query(
      `INSERT INTO bench_line SELECT g, md5(g::text), repeat(md5((g * 7)::text), 7), g % 1000, now() - (g || ' seconds')::interval FROM generate_series(1, ${rows}) g`,
    );
    await c.query("VACUUM ANALYZE bench_line");
  });
  return databaseSize({ pg, name });
}

const results: string[] = [];
try {
  // One production filestore for all sizes (its size does not depend on the database's).
  const prodFilestoreDb = `${tag}p`;
  const prodVolume = volumeName({ databaseName: prodFilestoreDb });
  await ensureVolume({ docker: deps.docker, name: prodVolume, labels: { ...labels, role: "odoo-data" } });
  const perFile = Math.max(1, Math.round((filestoreMb * 1024) / files));
  const [genMs] = await timed(() =>
    shell(
      `set -e; d=/data/filestore/$DB; mkdir -p $d; i=0; while [ $i -lt $N ]; do h=$(printf '%040x' $i); mkdir -p $d/$(echo $h | cut -c39-40); head -c \${KB}K /dev/urandom > $d/$(echo $h | cut -c39-40)/$h; i=$((i+1)); done; chown -R 101:101 /data`,
      [{ type: "volume", source: prodVolume, target: "/data" }],
      { DB: prodFilestoreDb, N: String(files), KB: String(perFile) },
    ),
  );
  console.log(`filestore: ${files} files × ${perFile} KB = ${mb(files * perFile * 1024)} generated in ${s(genMs)}`);

  for (const sizeMb of sizesMb) {
    const prod = `${tag}p`;
    const [fillMs, bytes] = await timed(() => makeProduction(prod, sizeMb));
    console.log(`\n== database ${mb(bytes)} (asked ${sizeMb} MB, filled in ${s(fillMs)}) ==`);
    const source = `${tag}_snapshot`;
    const [refreshMs] = await timed(() => dumpRestore({ docker: deps.docker, pg, source: prod, target: source }));
    const [fsSourceMs, fsSource] = await timed(() =>
      filestoreOperation({
        docker: deps.docker,
        toolsImage: image,
        op: "copy",
        source: { volume: prodVolume, database: prodFilestoreDb },
        target: { volume: prodVolume, database: source },
        labels,
      }),
    );

    const staging = `${tag}-s1`;
    const stagingVolume = volumeName({ databaseName: staging });
    const [templateMs] = await timed(() => copyDatabase({ pg, source, target: staging }));
    const [linkMs, link] = await timed(() =>
      filestoreOperation({
        docker: deps.docker,
        toolsImage: image,
        op: "copy",
        source: { volume: prodVolume, database: source },
        target: { volume: stagingVolume, database: staging },
        labels,
      }),
    );
    const staging2 = `${tag}-s2`;
    const [fileCopyMs] = await timed(() =>
      withClient({ pg }, (c) => c.query(`CREATE DATABASE "${staging2}" TEMPLATE "${source}" STRATEGY FILE_COPY`)),
    );

    const baseline = `${tag}-b`;
    const [dumpMs] = await timed(() => dumpRestore({ docker: deps.docker, pg, source: prod, target: baseline }));
    const baselineVolume = volumeName({ databaseName: baseline });
    await ensureVolume({ docker: deps.docker, name: baselineVolume, labels: { ...labels, role: "odoo-data" } });
    const prodMount = (await listVolumes({ docker: deps.docker, labels })).find((v) => v.name === prodVolume)!.mountpoint;
    const root = prodMount.replace(/\/[^/]+\/_data$/, "");
    const cpMs = await shell(`set -e; mkdir -p "$DST"; cp -r "$SRC" "$DST/"`, [{ type: "bind", source: root, target: "/volumes" }], {
      SRC: `/volumes/${prodVolume}/_data/filestore/${prodFilestoreDb}`,
      DST: `/volumes/${baselineVolume}/_data/filestore`,
    });

    const ours = templateMs + linkMs;
    const theirs = dumpMs + cpMs;
    const lines = [
      `database ${mb(bytes)}, filestore ${fsSource.files} files (${mb(files * perFile * 1024)}):`,
      `  staging source refresh: pg_dump|pg_restore ${s(refreshMs)} + filestore hard links ${s(fsSourceMs)}`,
      `  staging copy (per build): TEMPLATE ${s(templateMs)} (FILE_COPY strategy: ${s(fileCopyMs)}) + filestore ${link.mode} ${s(linkMs)} = ${s(ours)}`,
      `  baseline: pg_dump|pg_restore ${s(dumpMs)} + cp -r ${s(cpMs)} = ${s(theirs)}`,
      `  default path (max age 0): pg_dump|pg_restore ${s(dumpMs)} + filestore hard links ${s(linkMs)} = ${s(dumpMs + linkMs)}: ${(theirs / (dumpMs + linkMs)).toFixed(1)}× faster than pg_dump|pg_restore + cp -r`,
      `  ratios: database ${(dumpMs / templateMs).toFixed(1)}× (FILE_COPY ${(dumpMs / fileCopyMs).toFixed(1)}×), filestore ${(cpMs / linkMs).toFixed(1)}×, total ${(theirs / ours).toFixed(1)}× faster than pg_dump|pg_restore + cp -r`,
    ];
    console.log(lines.join("\n"));
    results.push(...lines);
    for (const d of [prod, source, staging, staging2, baseline]) await dropDatabase({ pg, name: d });
    for (const v of [stagingVolume, baselineVolume]) await removeVolume({ docker: deps.docker, name: v });
    await filestoreOperation({
      docker: deps.docker,
      toolsImage: image,
      op: "remove",
      target: { volume: prodVolume, database: source },
      labels,
    });
  }
  console.log(`\nSummary (${new Date().toISOString()}, ${tag}):\n${results.join("\n")}`);
} finally {
  const names = await listDatabases({ pg }).catch(() => [] as string[]);
  for (const d of names) if (d.startsWith(tag)) await dropDatabase({ pg, name: d }).catch(() => undefined);
  for (const v of await listVolumes({ docker: deps.docker, labels }).catch(() => []))
    await removeVolume({ docker: deps.docker, name: v.name }).catch(() => undefined);
  await deps.redis.quit().catch(() => undefined);
  await deps.queues.close().catch(() => undefined);
  await deps.prisma.$disconnect().catch(() => undefined);
}
