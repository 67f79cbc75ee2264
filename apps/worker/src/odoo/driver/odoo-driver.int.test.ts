// Drives the Odoo image ONLY through the driver, exactly as a real Odoo image would be driven.
// The test (not the driver) knows where the stand-in's fixture addons live.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectDocker,
  inspectContainer,
  listContainers,
  removeContainers,
  removeImage,
  removeNetworks,
  removeVolumes,
} from "@slipway/docker";
import { ensureProjectNetwork } from "../../isolation/project-network";
import { databaseCredentials, ensureDatabase, ensureManagedPostgres, queryDatabase, type ManagedPostgres } from "../../postgres";
import { createDatabase, ensureRequirementsImage, installModules, neutralize, serve, type OdooContext } from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const IMAGE = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const FIXTURES = resolve(process.env.SLIPWAY_TEST_ODOO_FIXTURES ?? join(__dirname, "../../../../../docker/odoo-standin/fixtures"));
const tag = `${process.pid}`;
const labels = { test: "odoo-driver" };
const selector = { test: "odoo-driver" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-driver-"));
const checkout = join(tmp, "checkout");
const builtImages: string[] = [];

/** The stand-in's fixtures folder is an addons folder; copied so the test can add files to it. */
function buildCheckout(): Record<string, string[]> {
  cpSync(FIXTURES, checkout, { recursive: true });
  const pick = (name: string) => {
    if (!existsSync(join(checkout, name, "__manifest__.py"))) throw new Error(`fixture module ${name} missing in ${FIXTURES}`);
    return [name];
  };
  return {
    green: pick("green_addon"),
    "own-model": pick("own_model_addon"),
    warning: pick("warning_addon"),
    "failing-test": pick("failing_addon"),
    "broken-xml": pick("broken_xml_addon"),
  };
}

let pg: ManagedPostgres;
let network: string;
let modules: Record<string, string[]>;

function ctx(database: string, extra: Partial<OdooContext> = {}): OdooContext {
  return {
    docker,
    image: IMAGE,
    database,
    db: databaseCredentials(pg, database),
    network,
    checkout: { hostPath: checkout, addonsFolders: ["."] },
    dataVolume: `slipway-test-odoo-data-${database}`,
    logDir: join(tmp, "logs", database),
    labels: { ...labels, project: "drv", build: tag },
    limits: { cpus: 1, memoryBytes: 1024 ** 3, timeoutMs: 120_000 },
    ...extra,
  };
}

beforeAll(async () => {
  modules = buildCheckout();
  pg = await ensureManagedPostgres({
    docker,
    image: process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15",
    home: tmp,
    containerName: `slipway-test-drv-pg-${tag}`,
    volumeName: `slipway-test-drv-pg-${tag}`,
    platformNetwork: `slipway-test-drv-platform-${tag}`,
    labels,
  });
  network = (await ensureProjectNetwork({ docker, pg, project: { id: "drv", slug: `drv${tag}` }, labels })).name;
});

afterAll(async () => {
  await removeContainers({ docker, labels: selector });
  await removeVolumes({ docker, labels: selector });
  await removeNetworks({ docker, labels: selector });
  for (const image of builtImages) await removeImage({ docker, image, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe("Odoo driver on a development database", () => {
  const db = `drv_dev_${tag}`;

  it("creates a fresh database with demo data and installs a module whose tests pass → green", async () => {
    await ensureDatabase({ pg, name: db });
    const created = await createDatabase({ ctx: ctx(db), withDemo: true });
    expect(created.classification.reasons).toEqual([]);
    expect(created).toMatchObject({ exitCode: 0, timedOut: false, logFile: join(ctx(db).logDir, "install.log") });
    const green = await installModules({ ctx: ctx(db), modules: modules.green!, withDemo: true, tests: { enabled: true } });
    expect(green.classification.status).toBe("green");
    expect(readFileSync(green.logFile, "utf8")).toContain("odoo.tests.result: 0 failed, 0 error(s)");
  });

  it("runs an at_install TransactionCase on the addon's own model inside the install → green (issue 15: as real Odoo does)", async () => {
    const res = await installModules({ ctx: ctx(db), modules: modules["own-model"]!, withDemo: true, tests: { enabled: true } });
    expect(res.classification.reasons).toEqual([]);
    expect(res.classification.status).toBe("green");
    const log = readFileSync(res.logFile, "utf8");
    expect(log).toContain("Starting TestOwnNote.test_create_and_find");
    expect(log).not.toContain("KeyError");
  });

  it("reports a module warning as yellow", async () => {
    const res = await installModules({ ctx: ctx(db), modules: modules.warning!, withDemo: true, tests: { enabled: true } });
    expect(res.classification.status).toBe("yellow");
    expect(res.classification.offending.some((o) => o.level === "WARNING")).toBe(true);
  });

  it("reports a failing test as red with its FAIL: line among the offending lines", async () => {
    const res = await installModules({ ctx: ctx(db), modules: modules["failing-test"]!, withDemo: true, tests: { enabled: true } });
    expect(res.exitCode).toBe(1);
    expect(res.classification.status).toBe("red");
    const fail = res.classification.offending.find((o) => / FAIL: /.test(o.text));
    expect(fail).toBeDefined();
    // Line numbers point into the whole install.log (several runs appended).
    const fileLines = readFileSync(res.logFile, "utf8").split("\n");
    expect(fileLines[fail!.line - 1]).toContain("FAIL:");
  });

  it("reports a broken data file as red with the CRITICAL line", async () => {
    const res = await installModules({ ctx: ctx(db), modules: modules["broken-xml"]!, withDemo: true });
    expect(res.exitCode).toBe(255);
    expect(res.classification.status).toBe("red");
    expect(res.classification.offending.some((o) => o.level === "CRITICAL" && /Failed to initialize database/.test(o.text))).toBe(true);
  });

  it("neutralizes: flag set, crons off except autovacuum, mail servers off", async () => {
    await queryDatabase({
      pg,
      database: db,
      sql: "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active) VALUES ('prod', 'smtp.example.com', 587, 'starttls', 'login', true)",
    });
    const res = await neutralize({ ctx: ctx(db) });
    expect(res.classification.status).toBe("green");
    expect(res.logFile).toBe(join(ctx(db).logDir, "neutralize.log"));
    const flag = await queryDatabase<{ value: string }>({
      pg,
      database: db,
      sql: "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
    });
    expect(flag.map((r) => r.value.toLowerCase())).toEqual(["true"]);
    const crons = await queryDatabase<{ xmlid: string | null }>({
      pg,
      database: db,
      sql: `SELECT d.module || '.' || d.name AS xmlid FROM ir_cron c
            LEFT JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id WHERE c.active`,
    });
    expect(crons).toEqual([{ xmlid: "base.autovacuum_job" }]);
    const mail = await queryDatabase({ pg, database: db, sql: "SELECT id FROM ir_mail_server WHERE active AND smtp_host <> 'invalid'" });
    expect(mail).toEqual([]);
  });

  it("serves the database: /web/health answers 200 within seconds", async () => {
    const res = await serve({ ctx: ctx(db), containerName: `slipway-test-drv-odoo-${tag}`, healthTimeoutMs: 30_000, restart: "no" });
    res.logFollower?.stop();
    expect(res.classification.reasons).toEqual([]);
    expect(res.healthy).toBe(true);
    expect(res.durationMs).toBeLessThan(15_000);
    const health = await fetch(`${res.httpUrl}/web/health`);
    expect(health.status).toBe(200);
  });

  it("reports a server that never becomes healthy as red, and removes it", async () => {
    // Wrong database password: the image's entrypoint keeps waiting for PostgreSQL, HTTP never answers.
    const bad = ctx(db);
    const name = `slipway-test-drv-bad-${tag}`;
    const res = await serve({
      ctx: { ...bad, db: { ...bad.db, password: "wrong" } },
      containerName: name,
      healthTimeoutMs: 5_000,
      restart: "no",
    });
    expect(res.healthy).toBe(false);
    expect(res.classification.status).toBe("red");
    expect(res.classification.reasons.join("\n")).toMatch(/health check failed/);
    expect(await inspectContainer({ docker, id: name })).toBeNull();
  });
});

describe("limits and requirements", () => {
  it("kills a run that exceeds its wall time: red with the reason, no leftover container", async () => {
    const db = `drv_slow_${tag}`;
    await ensureDatabase({ pg, name: db });
    const res = await createDatabase({ ctx: ctx(db, { limits: { timeoutMs: 500 } }), withDemo: false });
    expect(res.timedOut).toBe(true);
    expect(res.classification.status).toBe("red");
    expect(res.classification.reasons[0]).toMatch(/exceeded its time limit/);
    expect(readFileSync(res.logFile, "utf8")).toMatch(/killed: the run exceeded its time limit/);
    expect(await listContainers({ docker, labels: { ...selector, role: "odoo-install" } })).toEqual([]);
  });

  it("builds the requirements image once, reuses it, and reports a pip failure as red", async () => {
    writeFileSync(join(checkout, "requirements.txt"), "# nothing to install yet\n");
    const opts = {
      docker,
      baseImage: IMAGE,
      checkoutPath: checkout,
      requirementsFiles: ["requirements.txt"],
      logDir: join(tmp, "logs", "pip"),
      labels,
    };
    const first = await ensureRequirementsImage({ ...opts, requirementsHash: `ok-${tag}` });
    builtImages.push(first.image);
    expect(first).toMatchObject({ built: true, reused: false });
    expect(first.classification.status).toBe("green");
    const second = await ensureRequirementsImage({ ...opts, requirementsHash: `ok-${tag}` });
    expect(second).toMatchObject({ image: first.image, built: false, reused: true });

    writeFileSync(join(checkout, "requirements.txt"), "this is not a requirement ===\n");
    const bad = await ensureRequirementsImage({ ...opts, requirementsHash: `bad-${tag}` });
    expect(bad.built).toBe(false);
    expect(bad.classification.status).toBe("red");
    expect(bad.classification.reasons[0]).toMatch(/requirements install failed/);
    expect(readFileSync(bad.logFile, "utf8")).toMatch(/pip3 install/);
  });
});
