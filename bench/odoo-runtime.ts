// Runtime benchmark of the Odoo driver against the stand-in image (prints figures, no assertions).
//   npx tsx bench/odoo-runtime.ts [runs]        env: SLIPWAY_TEST_ODOO_IMAGE, SLIPWAY_ODOO_PG_IMAGE,
//                                                     SLIPWAY_DOCKER_SOCKET, SLIPWAY_BENCH_FIXTURE
// 1. serve(): container start → /web/health 200 (median of N).
// 2. the same test run (install of a fixture module with --test-enable) through the driver and as
//    a hand-typed `docker run`, and the ratio of their medians (driver overhead).
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { connectDocker, removeContainer, removeContainers, removeNetworks, removeVolumes } from "@slipway/docker";
import { ensureProjectNetwork } from "../apps/worker/src/isolation/project-network";
import {
  createDatabase as createEmptyDatabase,
  databaseCredentials,
  dropDatabase,
  ensureManagedPostgres,
} from "../apps/worker/src/postgres";
import { createDatabase, installModules, serve, type OdooContext } from "../apps/worker/src/odoo/driver";

const run = promisify(execFile);
const runs = Number(process.argv[2] ?? 5);
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const socketPath = process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock";
const fixture = resolve(process.env.SLIPWAY_BENCH_FIXTURE ?? "docker/odoo-standin/fixtures/green_addon");
const docker = connectDocker({ socketPath });
const tag = `bench${process.pid}`;
const labels = { bench: "odoo-runtime" };
const home = mkdtempSync(join(tmpdir(), "slipway-bench-"));
// A repository-like checkout with the fixture's modules (the fixture is a module or an addons folder).
const fixtures = join(home, "checkout");
const modules = existsSync(join(fixture, "__manifest__.py"))
  ? [fixture.split("/").pop()!]
  : readdirSync(fixture).filter((m) => existsSync(join(fixture, m, "__manifest__.py")));
for (const m of modules)
  cpSync(modules.length === 1 && existsSync(join(fixture, "__manifest__.py")) ? fixture : join(fixture, m), join(fixtures, m), {
    recursive: true,
  });
const module = modules.join(",");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const pg = await ensureManagedPostgres({
    docker,
    image: process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15",
    home,
    containerName: `slipway-bench-pg-${tag}`,
    volumeName: `slipway-bench-pg-${tag}`,
    platformNetwork: `slipway-bench-platform-${tag}`,
    toolsNetwork: `slipway-bench-tools-${tag}`,
    labels,
  });
  // As a build: the project's network, and the role of the one database a run works on (ADR 0005).
  const network = await ensureProjectNetwork({ docker, pg, project: { id: tag, slug: tag }, labels });
  const logDir = join(home, "logs");
  const ctx = (database: string): OdooContext => ({
    docker,
    image,
    database,
    network: network.name,
    dataVolume: `slipway-bench-data-${database}`,
    logDir,
    labels,
    db: databaseCredentials(pg, database),
    checkout: { hostPath: fixtures, addonsFolders: ["."] },
  });
  const base = `${tag}_base`;
  // The platform creates every database (and its role) empty; Odoo's `-i base` fills it.
  await createEmptyDatabase({ pg, name: base });
  const created = await createDatabase({ ctx: ctx(base), withDemo: true });
  console.log(`createDatabase (demo): ${fmt(created.durationMs)} → ${created.classification.status}`);

  const health: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await serve({ ctx: ctx(base), containerName: `slipway-bench-odoo-${tag}-${i}`, restart: "no" });
    s.logFollower?.stop();
    if (!s.healthy) console.log(`serve run ${i} unhealthy: ${s.classification.reasons.join("; ")}`);
    health.push(s.durationMs);
    if (s.containerId) await removeContainer({ docker, id: s.containerId, force: true });
  }
  console.log(`serve: start → /web/health 200, median of ${runs}: ${fmt(median(health))} (runs: ${health.map(fmt).join(", ")})`);

  if (!module) {
    console.log(`no module in ${fixture}: skipping the driver-overhead comparison`);
    return;
  }
  const viaDriver: number[] = [];
  const byHand: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dbA = `${tag}_d${i}`;
    const dbB = `${tag}_h${i}`;
    // Both start from a copy-free fresh database with base: same work on both sides.
    await createEmptyDatabase({ pg, name: dbA });
    await createEmptyDatabase({ pg, name: dbB });
    await createDatabase({ ctx: ctx(dbA), withDemo: true });
    await createDatabase({ ctx: ctx(dbB), withDemo: true });
    const d = await installModules({ ctx: ctx(dbA), modules, withDemo: true, tests: { enabled: true } });
    viaDriver.push(d.durationMs);
    // The credentials and network the driver gives dbB's runs; the password through the docker
    // client's environment (`-e PASSWORD`), not its command line.
    const creds = databaseCredentials(pg, dbB);
    const t0 = Date.now();
    await run(
      "docker",
      [
        "run",
        "--rm",
        "--network",
        network.name,
        "--label",
        "org.slipway.bench=odoo-runtime",
        "-e",
        `HOST=${creds.host}`,
        "-e",
        `PORT=${creds.port}`,
        "-e",
        `USER=${creds.user}`,
        "-e",
        "PASSWORD",
        "-v",
        `slipway-bench-data-${dbB}:/var/lib/odoo`,
        "-v",
        `${fixtures}:/home/odoo/src/user:ro`,
        image,
        "odoo",
        "-d",
        dbB,
        "--data-dir",
        "/var/lib/odoo",
        "--addons-path",
        "/home/odoo/src/user",
        "-i",
        module,
        "--test-enable",
        "--stop-after-init",
      ],
      { env: { ...process.env, PASSWORD: creds.password } },
    ).catch((e: { code?: number; stderr?: string }) =>
      console.log(`hand run ${i} failed (exit ${e.code}): ${String(e.stderr).slice(-300)}`),
    );
    if (d.classification.status !== "green") console.log(`driver run ${i}: ${d.classification.reasons.join("; ")}`);
    byHand.push(Date.now() - t0);
    await dropDatabase({ pg, name: dbA });
    await dropDatabase({ pg, name: dbB });
  }
  const ratio = median(viaDriver) / median(byHand);
  console.log(`test run via driver, median: ${fmt(median(viaDriver))} (${viaDriver.map(fmt).join(", ")})`);
  console.log(`same docker run by hand, median: ${fmt(median(byHand))} (${byHand.map(fmt).join(", ")})`);
  console.log(`driver overhead ratio: ${ratio.toFixed(3)}`);
}

try {
  await main();
} finally {
  await removeContainers({ docker, labels });
  await removeVolumes({ docker, labels });
  await removeNetworks({ docker, labels });
  rmSync(home, { recursive: true, force: true });
}
