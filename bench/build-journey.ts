// Benchmark of the push → build journey (issue 4). Prints figures; asserts nothing.
//   npm run services:up && npx turbo run build --filter=@slipway/web
//   node --env-file=.slipway/env --import tsx bench/build-journey.ts [deliveries=500] [journeys=3]
// 1. webhook → job queued: p50/p99 of signed pushes (one new branch each) answered by the real web
//    app, which records the push and queues the build before answering.
// 2. webhook → server container started, and push → green, with the real worker, for the stand-in's
//    green fixture addon; against the same Odoo commands run by hand (git clone, `docker run` ×3,
//    health poll), as a ratio (the platform's overhead).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject } from "@slipway/db";
import { createTemporaryDatabase } from "@slipway/db/testing";
import { signPayload } from "@slipway/github";
import { createWorkerDeps } from "../apps/worker/src/create-deps";
import { releaseBuild } from "../apps/worker/src/builds/resources";
import { ensureProjectNetwork, removeProjectNetwork } from "../apps/worker/src/isolation/project-network";
import { createDatabase, databaseCredentials, dropDatabase } from "../apps/worker/src/postgres";
import { createFixtureRepo } from "../apps/worker/src/testing/fixture-repo";

const run = promisify(execFile);
const deliveries = Number(process.argv[2] ?? 500);
const journeys = Number(process.argv[3] ?? 3);
const root = path.resolve(import.meta.dirname, "..");
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const port = 3210;
const secret = randomBytes(16).toString("hex");

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number) => `${x.toFixed(1)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// Each process's output goes to a file beside the system's temp files, named in the figures' output.
function startProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv, name: string): ChildProcess {
  const file = path.join(tmpdir(), `slipway-bench-${name}-${process.pid}.log`);
  const fd = openSync(file, "a");
  console.log(`${name} output: ${file}`);
  return spawn(process.execPath, args, { cwd, env, stdio: ["ignore", fd, fd] });
}

/** A build ended without what the wait was for: stops the wait at once. */
class BuildEnded extends Error {}

async function waitUntil<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 300_000, every = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((e: unknown) => {
      if (e instanceof BuildEnded) throw e;
      return null;
    });
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await sleep(every);
  }
}

async function main() {
  const db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const repo = createFixtureRepo();
  const redisUrl = new URL(process.env.REDIS_URL!);
  redisUrl.pathname = "/10";
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl.toString(),
    SLIPWAY_WEB_PORT: String(port),
    SLIPWAY_LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // The fixture repository is a local bare repository: allowed under its own folder only.
    SLIPWAY_LOCAL_REPOS_ROOT: path.dirname(repo.url.replace(/^file:\/\//, "")),
  };
  const config = loadWorkerConfig(env);
  const deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  await deps.redis.flushdb();
  const user = await deps.prisma.user.create({ data: { login: "bench" } });
  const slug = `bench${randomBytes(2).toString("hex")}`;
  const project = await insertProject(deps.prisma, {
    slug,
    name: "Bench",
    repoUrl: repo.url,
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: image,
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret(secret, config.encryptionKey),
    creatorId: user.id,
  });
  const nextBin = createRequire(path.join(root, "apps/web/package.json")).resolve("next/dist/bin/next");
  const web = startProcess([nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], path.join(root, "apps/web"), env, "web");
  let worker: ChildProcess | null = null;
  const post = async (body: string, delivery: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/webhooks/git/${slug}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slipway-delivery": delivery, "x-hub-signature-256": signPayload(secret, body) },
      body,
    });
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { buildId: string | null };
  };
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200, 60_000, 250);

    // 1. webhook → job queued (the answer comes after the row is written and the job is queued).
    const revision = "a".repeat(40);
    for (let i = 0; i < 20; i++) await post(JSON.stringify({ ref: `refs/heads/warmup-${i}`, after: revision }), `warm-${i}`);
    const latencies: number[] = [];
    for (let i = 0; i < deliveries; i++) {
      const body = JSON.stringify({ ref: `refs/heads/bench-${i}`, after: revision });
      const t0 = performance.now();
      const { buildId } = await post(body, `d-${i}`);
      latencies.push(performance.now() - t0);
      if (!buildId) throw new Error("no build queued");
    }
    const waiting = await deps.queues.get("builds").getWaitingCount();
    console.log(
      `webhook → job queued, ${deliveries} deliveries: p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))} (jobs waiting: ${waiting})`,
    );
    await deps.queues.get("builds").obliterate({ force: true });
    await deps.prisma.build.updateMany({ data: { state: "cancelled", inProgressSlot: null } });

    // 2. webhook → container started and push → green, with the real worker.
    worker = startProcess(["--import", "tsx", "src/main.ts"], path.join(root, "apps/worker"), env, "worker");
    const started: number[] = [];
    const green: number[] = [];
    const journeyBuilds: string[] = [];
    const manual: number[] = [];
    const manualPhases = new Map<string, number[]>();
    let phaseStart = 0;
    const phase = (name: string) => {
      const now = performance.now();
      manualPhases.set(name, [...(manualPhases.get(name) ?? []), now - phaseStart]);
      phaseStart = now;
    };
    // Times come from the records (the build's finishedAt, the server container's StartedAt), not
    // from when a poll noticed them: the bench only reads the build row while it waits (no engine
    // calls competing with the build), and a poll's interval does not count against the platform.
    // Each push says where the branch was (`before`), as GitHub, Gitea and GitLab send it: a push
    // without it is verified against the repository (`git ls-remote`) as a possible forced push.
    let head = "0".repeat(40);
    const platformJourney = async (i: number) => {
      const sha = repo.push("main", ["green_addon"], `journey ${i}`);
      const t0 = Date.now();
      const { buildId } = await post(JSON.stringify({ ref: "refs/heads/main", before: head, after: sha }), `j-${i}`);
      head = sha;
      journeyBuilds.push(buildId!);
      const b = await waitUntil(async () => {
        const row = await deps.prisma.build.findUniqueOrThrow({ where: { id: buildId! } });
        if (row.state === "failed" || row.state === "cancelled") throw new BuildEnded(`journey build ${row.state}: ${row.failureReason}`);
        return row.state === "running" ? row : null;
      });
      if (b.result !== "green" || !b.finishedAt) throw new Error(`journey build ended ${b.state}/${b.result}: ${b.failureReason}`);
      green.push(b.finishedAt.getTime() - t0);
      const { stdout } = await run("docker", ["inspect", "-f", "{{.State.StartedAt}}", b.containerName!]);
      // RFC 3339 with nanoseconds: milliseconds are enough.
      started.push(Date.parse(stdout.trim().replace(/(\.\d{3})\d*/, "$1")) - t0);
    };
    // The same Odoo commands by hand, as a build runs them: on the project's network, logged in as
    // the database's own role, the database created empty (with its role) before `-i base`.
    const pg = await deps.postgres();
    const network = await ensureProjectNetwork({ docker: deps.docker, pg, project });
    const manualJourney = async (i: number) => {
      const dir = mkdtempSync(path.join(tmpdir(), "slipway-manual-"));
      const dbName = `manual-bench-${i}-${process.pid}`;
      const volume = `slipway-manual-bench-${i}-${process.pid}`;
      const creds = databaseCredentials(pg, dbName);
      // The password through the docker client's environment (`-e PASSWORD`), not its command line.
      const withPassword = { env: { ...process.env, PASSWORD: creds.password } };
      const base = [
        "run",
        "--rm",
        "--network",
        network.name,
        "-e",
        `HOST=${creds.host}`,
        "-e",
        `PORT=${creds.port}`,
        "-e",
        `USER=${creds.user}`,
        "-e",
        "PASSWORD",
        "-v",
        `${volume}:/var/lib/odoo`,
        "-v",
        `${dir}/src:/home/odoo/src/user:ro`,
      ];
      const t0 = performance.now();
      phaseStart = t0;
      await run("git", ["clone", "-q", "--depth", "1", "--branch", "main", `file://${repo.url}`, `${dir}/src`]);
      phase("git clone");
      const addons = ["--addons-path", "/home/odoo/src/user/addons"];
      await createDatabase({ pg, name: dbName });
      await run("docker", [...base, image, "odoo", "-d", dbName, ...addons, "-i", "base", "--stop-after-init"], withPassword);
      phase("create database + -i base");
      await run(
        "docker",
        [...base, image, "odoo", "-d", dbName, ...addons, "-i", "green_addon", "--test-enable", "--stop-after-init"],
        withPassword,
      );
      phase("-i addon --test-enable");
      const name = `slipway-manual-bench-${i}-${process.pid}`;
      await run(
        "docker",
        [...base.filter((a) => a !== "--rm"), "-d", "--name", name, image, "odoo", "-d", dbName, ...addons, "--db-filter", `^${dbName}$`],
        withPassword,
      );
      const { stdout } = await run("docker", [
        "inspect",
        "-f",
        `{{ (index .NetworkSettings.Networks "${network.name}").IPAddress }}`,
        name,
      ]);
      // Polled as often as the platform polls its servers (serve: every 10 ms).
      await waitUntil(async () => (await fetch(`http://${stdout.trim()}:8069/web/health`)).status === 200, 60_000, 10);
      phase("docker run -d + health");
      manual.push(performance.now() - t0);
      await run("docker", ["rm", "-f", name]);
      await run("docker", ["volume", "rm", volume]);
      await dropDatabase({ pg, name: dbName });
      rmSync(dir, { recursive: true, force: true });
    };
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(" / ");
    const loadBefore = load();
    // Interleaved, so a change in the machine's load during the run weighs on both sides alike.
    for (let i = 0; i < journeys; i++) {
      await platformJourney(i);
      await manualJourney(i);
    }
    console.log("platform, per step:");
    await printBreakdown(deps, journeyBuilds);
    console.log("by hand, per command:");
    for (const [name, xs] of manualPhases) console.log(`  ${name.padEnd(28)} median ${s(median(xs))}`);
    console.log(`webhook → server container started: median ${s(median(started))} over ${journeys}`);
    console.log(
      `push → green (platform): median ${s(median(green))}; same commands by hand: median ${s(median(manual))}; ratio ${(median(green) / median(manual)).toFixed(2)}`,
    );
    console.log(`  each round: platform ${green.map(s).join(", ")}; by hand ${manual.map(s).join(", ")}`);
    console.log(`load average (1 / 5 / 15 min): ${loadBefore} before the journeys, ${load()} after`);
  } finally {
    worker?.kill("SIGTERM");
    web.kill("SIGTERM");
    for (const b of await deps.prisma.build.findMany({ select: { id: true, databaseName: true } }))
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
    // The project's network (made by its builds and the by-hand runs): its containers are gone.
    await removeProjectNetwork({ docker: deps.docker, pg: await deps.postgres(), slug }).catch(() => undefined);
    await deps.redis.flushdb().catch(() => undefined);
    await deps.queues.close();
    await deps.redis.quit();
    await deps.prisma.$disconnect();
    repo.remove();
    await sleep(1000);
    await db.drop();
  }
}

/**
 * Where a journey's time goes, from the build's own records (median over the journeys): the wait
 * for a worker (created → started), each step, and the time between steps (the platform's own work).
 */
async function printBreakdown(deps: ReturnType<typeof createWorkerDeps>, buildIds: string[]) {
  const rows = new Map<string, number[]>();
  const add = (name: string, v: number) => rows.set(name, [...(rows.get(name) ?? []), v]);
  for (const id of buildIds) {
    const build = await deps.prisma.build.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
    if (!build.startedAt) continue;
    add("queued → started", build.startedAt.getTime() - build.createdAt.getTime());
    let last = build.startedAt.getTime();
    let between = 0;
    for (const step of build.steps) {
      if (!step.startedAt || !step.finishedAt) continue;
      between += Math.max(0, step.startedAt.getTime() - last);
      add(`step ${step.name}`, step.finishedAt.getTime() - step.startedAt.getTime());
      last = step.finishedAt.getTime();
    }
    if (build.finishedAt) between += Math.max(0, build.finishedAt.getTime() - last);
    add("between steps", between);
  }
  for (const [name, xs] of rows) console.log(`  ${name.padEnd(28)} median ${s(median(xs))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
