// The hostile-tenant suite (issue 11, "Done when"): tenants built by the real worker pipeline on the
// real Docker engine, managed PostgreSQL server and Caddy. Project A has a production build holding
// a secret; project B (public) pushes to a development branch an addon whose probe
// (probe/hostile_probe/probe.py) tries, from inside B's server, everything a hostile tenant would.
// Every attempt is asserted to fail AND paired with a positive control through the same probe code
// on B's own data, server and network, so the suite cannot pass by probing nothing.
//
// Rows of the issue's table → tests ("describe › it", abbreviated):
//   C1  one role for every build .. inside B's server › "C1: no credential it finds … opens A's database or template1",
//                                   "C1: the only database role in B's container is B's own …", "C1: B's role cannot create
//                                   databases or roles, escalate …", "C1: the maintenance database (postgres) takes nothing …";
//                                   in B's web shell › "C1: an admin's shell on B …"; A's staging › "… a role of its own"
//   C2  anonymous public shell .... in B's web shell › "C2: an anonymous visitor's shell on public project B …"
//   C3  filestore helper .......... every container started for the tenants › "C3, H4: … helpers run a platform image with
//                                   no network" (A's staging copies the filestore: the helper is seen and audited)
//   C4  import with \connect ...... colliding names › imports › "C4: an Odoo zip whose dump.sql says \connect …"
//   C5  database manager .......... inside B's server › "C5: Odoo's database manager answers B's own server with refusals …";
//                                   through the proxy › "C5: /web/database/*, /xmlrpc/db and /xmlrpc/2/db answer 403 …",
//                                   "C5: the db service on /jsonrpc … is refused …"
//   C6  colliding names ........... colliding names › "C6: …" (five tests: slug rule, distinct names, no drop of the other's
//                                   database, proxy refuses the other's hostname, release drops only its own)
//   H1  who may create what ....... web side, not here: apps/web/src/server/projects/creation-policy.test.ts,
//                                   apps/web/src/server/projects/create-project.int.test.ts, packages/git/src/private-address.test.ts,
//                                   packages/git/src/repo-url.test.ts, apps/web/src/server/github-auth/github-login.int.test.ts
//   H2  connect as admin .......... web side, not here: packages/domain/src/access/matrix.test.ts (connect_as),
//                                   apps/web/src/server/builds/build-actions.int.test.ts (the connect route per role)
//   H4  networks, hardening ....... inside B's server › "H4: A's server, the host's services …, the Docker socket, link-local
//                                   and the internet are out of reach", "H4: non-root, no capability, no-new-privileges, a
//                                   PidsLimit; a fork bomb …"; every container started for the tenants › "C3, H4: …"
//   M4  requirements egress ....... requirements image › "M4: pip of a requirements.txt reaches no host or private address …"
//   M5  connect tokens ............ connect tokens › "M5: …" (single use, B's token on A, never in odoo.log)
//   M7  file modes ................ worker/config side, not here: apps/worker/src/builds/file-modes.int.test.ts,
//                                   packages/config/src/file-modes.test.ts, apps/worker/src/main.int.test.ts
//
// Run alone: npx vitest run --project int apps/worker/src/isolation/hostile-tenant.int.test.ts
// SLIPWAY_TEST_ODOO_IMAGE=odoo:17.0 runs it against the official image (nothing relies on the stand-in).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { execCommand, inspectContainer } from "@slipway/docker";
import { connectSecretFor, issueShellTicket, shellTicketKey, signConnectToken } from "@slipway/config";
import { checkProjectSlug } from "@slipway/domain";
import { createBackup } from "../backups/create-backup";
import { downloadBackup } from "../backups/download-backup";
import { importDatabase } from "../backups/import-database";
import { LocalBackupStore } from "../backups/store/local-store";
import { releaseBuild } from "../builds/resources";
import { routeIdForBuild } from "../proxy/caddy";
import { startTerminalGateway, type TerminalGateway } from "../terminal/gateway";
import type { Tree } from "../testing/tree-repo";
import { auditContainer, containerGateways, type ContainerAudit } from "./testing/engine-api";
import {
  BASE_DOMAIN,
  createTenants,
  quoteIdent,
  quoteLiteral,
  randomSlug,
  type BuildRow,
  type Tenant,
  type Tenants,
} from "./testing/tenants";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const PROBE_DIR = fileURLToPath(new URL("./probe/hostile_probe", import.meta.url));
/** Where the checkout (read-only) puts the probe inside every build container. */
const PROBE_PATH = "/home/odoo/src/user/addons/hostile_probe/probe.py";
const SECRET_TABLE = "hostile_secret";
/** The highest PidsLimit the suite accepts: a fork bomb must end well before the machine does. */
const MAX_ACCEPTED_PIDS_LIMIT = 2048;
/** The default bridge's gateway: a host address every bridge network routes to. */
const DOCKER0 = "172.17.0.1";

// -- the probe's report (probe.py) -------------------------------------------------------------------
interface PgAttempt {
  host: string;
  port: number;
  user: string;
  password_from: string;
  db: string;
  ok: boolean;
  code?: string | null;
  error?: string;
  results?: Record<string, { ok: boolean; rows?: string[][]; code?: string | null; error?: string }>;
}
interface HttpProbe {
  via?: string;
  name: string;
  status?: number;
  error?: string;
  content_type?: string | null;
  is_zip: boolean;
  is_pg_dump: boolean;
  mentions_target_db: boolean;
  mentions_target_secret: boolean;
  mentions_own_db: boolean;
  json_has_result?: boolean;
  json_error?: string;
  json_result_list?: string[];
  server_version?: string;
  xmlrpc_fault?: boolean;
  xmlrpc_has_params?: boolean;
  snippet?: string;
}
interface TcpProbe {
  name: string;
  host: string;
  port: number;
  kind: "control" | "attack";
  result: string;
  seconds: number;
}
interface ProbeReport {
  errors: Record<string, string>;
  seconds: number;
  timings: Record<string, number>;
  identity?: {
    uid: number;
    euid: number;
    status: Record<string, string>;
    pids_max: { path: string; value: string } | null;
    env_keys: string[];
  };
  harvest?: {
    credentials: { source: string; user: string | null; password: string | null }[];
    masters: { source: string }[];
    configs: { path: string; list_db?: string; admin_passwd_is_admin?: boolean }[];
  };
  postgres?: { attempts: PgAttempt[]; error?: string };
  odoo?: HttpProbe[];
  network?: {
    tcp: TcpProbe[];
    routes: { dest: string; gateway: string }[];
    docker_socket: Record<string, { exists: boolean; connected?: boolean; answer?: string }>;
    target_http: HttpProbe[];
  };
  fork?: { max: number; spawned: number; error: string | null; spawn_after_cleanup: string };
}

// -- state shared by the describes ---------------------------------------------------------------------
let world: Tenants;
let A: Tenant;
let B: Tenant;
let aProd: BuildRow;
let aStaging: BuildRow;
let bDev: BuildRow;
/** A's sacrificial database (owned and locked down like A's production): every drop attempt aims at it. */
let decoyDb: string;
const aSecret = `A-PRODUCTION-SECRET-${randomBytes(6).toString("hex")}`;
const bSecret = `B-OWN-ROW-${randomBytes(6).toString("hex")}`;
let gateway: TerminalGateway;
type Trap = { server: http.Server; port: number; connections: { from: string; at: number }[]; requests: { from: string; url: string }[] };
/** H4: a host service bound to 0.0.0.0 (a careless self-hoster's). */
let careless: Trap;
/** M4: where the requirements.txt's only requirement lives (a host address). */
let pipTrap: Trap;
const audits = new Map<string, Promise<ContainerAudit | null>>();
let stopWatching: () => void = () => undefined;
let m4: { buildId: string; done: Promise<BuildRow | Error> } | null = null;
// The collision pair (project P's branch `a` build 1 against project `P-a-1`'s production) and the
// builds started in the background while the probes run (each describe awaits its own).
let P: Tenant;
let Q: Tenant;
let qProd: BuildRow;
const qSecret = `Q-PRODUCTION-${randomBytes(6).toString("hex")}`;
let pDevBuilt: Promise<BuildRow | Error>;
let aStagingBuilt: Promise<BuildRow | Error>;

async function settled(build: Promise<BuildRow | Error>): Promise<BuildRow> {
  const b = await build;
  if (b instanceof Error) throw b;
  return buildOk(b);
}

function probeAddon(): Tree {
  const out: Tree = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(PROBE_DIR, rel), { withFileTypes: true })) {
      if (e.name === "__pycache__") continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[`addons/hostile_probe/${r}`] = readFileSync(path.join(PROBE_DIR, r), "utf8");
    }
  };
  walk("");
  return out;
}

function buildOk(build: BuildRow): BuildRow {
  if (build.state !== "running") {
    const steps = build.steps.map((s) => `${s.name}:${s.state}`).join(", ");
    throw new Error(`build #${build.number} of ${build.hostname} ended ${build.state}: ${build.failureReason ?? ""} [${steps}]`);
  }
  return build;
}

/** A table only the database's owner can read (owned by its owner role, whatever that role is). */
async function plantSecret(database: string, value: string): Promise<void> {
  await world.superSql(
    database,
    `CREATE TABLE IF NOT EXISTS ${SECRET_TABLE} (value text);
     INSERT INTO ${SECRET_TABLE} VALUES (${quoteLiteral(value)});
     DO $$ BEGIN EXECUTE format('ALTER TABLE ${SECRET_TABLE} OWNER TO %I', (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())); END $$;`,
  );
}

async function secretOf(database: string): Promise<string[]> {
  return (await world.superSql(database, `SELECT value FROM ${SECRET_TABLE} ORDER BY value`)).map((r) => r[0]!);
}

async function serverOf(build: BuildRow): Promise<{ id: string; ips: string[]; env: Record<string, string> }> {
  const info = await inspectContainer({ docker: world.deps.docker, id: build.containerName! });
  if (!info?.running) throw new Error(`the server of ${build.hostname} is not running`);
  return { id: info.id, ips: Object.values(info.networks).filter(Boolean), env: info.env };
}

function portOf(url: string, fallback: number): number {
  const p = new URL(url).port;
  return p ? Number(p) : fallback;
}

/** The configuration probe.py reads (base64 JSON on its command line). */
async function probeConfig(options: { forkMax: number; sections: string[] }): Promise<string> {
  const { config } = world.deps;
  const b = await serverOf(bDev);
  const a = await serverOf(aProd);
  const gateways = (await containerGateways(world.engine, b.id)).map((g) => g.gateway).filter(Boolean);
  const pg = await world.deps.postgres();
  const cfg = {
    own: { db: bDev.databaseName, ip: b.ips[0] ?? null, http_port: 8069, create_database_name: `${B.slug}-probecreated` },
    target: { db: aProd.databaseName, drop_db: decoyDb, secret_marker: aSecret, server_ips: a.ips },
    pg: { host: pg.hostForBuilds, port: pg.port, roles: ["postgres", "slipway_admin", "odoo", aProd.databaseName] },
    host: {
      addresses: [...new Set([...gateways, DOCKER0])],
      // The mail catcher's port is the one host port builds may reach (by design): not an attack.
      ports: {
        "control-plane PostgreSQL": portOf(config.databaseUrl, 5432),
        Redis: portOf(config.redisUrl, 6379),
        "Caddy admin": portOf(config.caddy.adminUrl, 2019),
        proxy: config.proxyPort,
        "web app": config.web.port,
        "terminal gateway": config.terminalPort,
        "a service bound to 0.0.0.0": careless.port,
      },
    },
    fork: { max: options.forkMax },
    sections: options.sections,
  };
  return Buffer.from(JSON.stringify(cfg)).toString("base64");
}

function logged(report: ProbeReport, where: string): ProbeReport {
  console.info(`hostile probe (${where}): ${report.seconds} s ${JSON.stringify(report.timings)}`);
  return report;
}

function parseReport(text: string, where: string): ProbeReport {
  try {
    return JSON.parse(text) as ProbeReport;
  } catch {
    throw new Error(`the probe printed no report (${where}): ${text.slice(-2000)}`);
  }
}

/** Runs the probe as Odoo does: an exec as the odoo user, with the container's own environment. */
async function probeAsOdoo(forkMax: number): Promise<ProbeReport> {
  const res = await execCommand({
    docker: world.deps.docker,
    id: bDev.containerName!,
    user: "odoo",
    cmd: ["python3", PROBE_PATH, await probeConfig({ forkMax, sections: ["postgres", "odoo", "network", "fork"] })],
    timeoutMs: 150_000,
  });
  if (res.exitCode !== 0) throw new Error(`probe exited ${res.exitCode}: ${res.stderr.slice(-2000)}`);
  return logged(parseReport(res.stdout, "exec"), "exec as odoo");
}

/** Runs the probe in a web shell opened through the real terminal gateway with `ticket`. */
async function probeThroughShell(ticket: string): Promise<ProbeReport> {
  const command = `python3 ${PROBE_PATH} ${await probeConfig({ forkMax: 0, sections: ["postgres", "network"] })} --tty\r`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/terminal?ticket=${encodeURIComponent(ticket)}&cols=200&rows=50`);
    let output = "";
    let done = false;
    const finish = (error: Error | null, report?: ProbeReport) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ t: "in", d: "exit\r" }));
        ws.close(1000);
      }
      if (error) reject(error);
      else resolve(report!);
    };
    const timer = setTimeout(
      () => finish(new Error(`no probe report from the shell within 120 s; output: ${output.slice(-2000)}`)),
      120_000,
    );
    ws.on("open", () => ws.send(JSON.stringify({ t: "in", d: command })));
    ws.on("message", (data, isBinary) => {
      if (!isBinary) return;
      output += data.toString("utf8");
      const m = /<<HOSTILE-PROBE:([A-Za-z0-9+/=]+):END>>/.exec(output);
      if (m) finish(null, logged(parseReport(Buffer.from(m[1]!, "base64").toString("utf8"), "shell"), "web shell"));
    });
    ws.on("close", (code, reason) =>
      finish(new Error(`the shell closed (${code} ${reason.toString()}) before the probe reported; output: ${output.slice(-2000)}`)),
    );
    ws.on("error", () => undefined);
  });
}

// -- what the probe's findings must show ----------------------------------------------------------------
function okAttempts(report: ProbeReport): PgAttempt[] {
  return (report.postgres?.attempts ?? []).filter((a) => a.ok);
}

/** Positive control: the probe found B's credential, connected to B's own database and read B's own row. */
function expectOwnDatabaseReadable(report: ProbeReport): void {
  expect(report.errors, "probe sections that crashed").toEqual({});
  const own = okAttempts(report).filter((a) => a.db === bDev.databaseName);
  expect(own.length, "connections to B's own database with B's own credential").toBeGreaterThan(0);
  const rows = own.flatMap((a) => a.results?.secret?.rows ?? []).flat();
  expect(rows, "B reads its own table through the probe").toContain(bSecret);
}

/** Attack: no credential the probe found (or guessed) opens A's database, template1, or reads A's row. */
function expectNoCrossTenantDatabaseAccess(report: ProbeReport): void {
  const attempts = report.postgres?.attempts ?? [];
  const toTarget = attempts.filter((a) => a.db === aProd.databaseName);
  expect(toTarget.length, "the probe tried A's database").toBeGreaterThan(0);
  const opened = toTarget.filter((a) => a.ok).map((a) => `${a.user} (password from ${a.password_from})`);
  expect(opened, "connections to A's production database").toEqual([]);
  const template = attempts.filter((a) => a.db === "template1" && a.ok).map((a) => a.user);
  expect(template, "connections to template1").toEqual([]);
  const leaked = attempts.filter((a) => JSON.stringify(a.results ?? {}).includes(aSecret)).map((a) => `${a.user}@${a.db}`);
  expect(leaked, "A's secret row read").toEqual([]);
  const ownRole = okAttempts(report).find((a) => a.db === bDev.databaseName)?.user;
  const foreign = okAttempts(report)
    .filter((a) => a.user !== ownRole)
    .map((a) => `${a.user}@${a.db} (password from ${a.password_from})`);
  expect(foreign, "logins with any role but B's own").toEqual([]);
}

function expectOnlyOwnRoleFound(report: ProbeReport, own: string): void {
  const users = [...new Set((report.harvest?.credentials ?? []).map((c) => c.user).filter((u): u is string => Boolean(u)))];
  expect(users, "database roles found in env, /proc, config files").toEqual([own]);
}

function result(report: ProbeReport, name: string, via: string): HttpProbe {
  const r = (report.odoo ?? []).find((x) => x.name === name && x.via === via);
  if (!r) throw new Error(`the probe made no request ${name} via ${via}`);
  return r;
}

/** Odoo's db service refused: HTTP 403 (proxy) or a JSON-RPC AccessDenied error — never a result, never a 404. */
function expectDbServiceRefused(r: HttpProbe, what: string): void {
  const refused = r.status === 403 || (r.status === 200 && /access ?denied/i.test(r.json_error ?? ""));
  const hint =
    r.status === 404
      ? " — 404: this server has no db service; the stand-in must implement Odoo's (issue 11 item 2) for the check to be honest"
      : "";
  expect(refused, `${what}: ${r.status} ${r.json_error ?? r.snippet ?? r.error ?? ""}${hint}`).toBe(true);
  expect(r.json_has_result ?? false, `${what} returned a result`).toBe(false);
}

function expectNoLeak(r: HttpProbe, what: string): void {
  expect({ zip: r.is_zip, dump: r.is_pg_dump, secret: r.mentions_target_secret, targetDb: r.mentions_target_db }, what).toEqual({
    zip: false,
    dump: false,
    secret: false,
    targetDb: false,
  });
}

// -- setup ---------------------------------------------------------------------------------------------------
beforeAll(async () => {
  world = await createTenants({ env: process.env, image });
  careless = await startTrap();
  pipTrap = await startTrap();
  const watcher = await world.engine.watchContainerCreates((id, labels) => {
    if (Object.keys(labels).some((k) => k.startsWith("org.slipway.")))
      audits.set(
        id,
        auditContainer(world.engine, id).catch(() => null),
      );
  });
  stopWatching = watcher.close;
  A = await world.createTenant({ slug: randomSlug("hta") });
  B = await world.createTenant({ slug: randomSlug("htb"), publicAccess: true });
  P = await world.createTenant({ slug: randomSlug("htp") });
  Q = await world.createTenant({ slug: `${P.slug}-a-1` });
  gateway = await startTerminalGateway({ deps: world.deps, host: "127.0.0.1", port: 0 });
  // M4: a requirements.txt whose only requirement lives on a host address; built alongside.
  const m4Build = await B.push("deps", {
    ...probeAddon(),
    "requirements.txt": `hostile-egress-probe @ http://${DOCKER0}:${pipTrap.port}/m4/hostile_egress_probe-1.0.tar.gz\n`,
  });
  m4 = { buildId: m4Build, done: world.runBuild(m4Build).catch((e: Error) => e) };
  [aProd, bDev, qProd] = await Promise.all([
    A.pushAndBuild("main", probeAddon(), { stage: "production" }),
    B.pushAndBuild("feature", probeAddon()),
    Q.pushAndBuild("main", probeAddon(), { stage: "production" }),
  ]);
  for (const b of [aProd, bDev, qProd]) buildOk(b);
  await plantSecret(aProd.databaseName!, aSecret);
  await plantSecret(bDev.databaseName!, bSecret);
  await plantSecret(qProd.databaseName!, qSecret);
  decoyDb = await createDecoy(aProd.databaseName!);
  // In the background while B's probes run: A's staging (a copy of production) and P's build
  // whose names collided with Q's production (after Q's production exists, as in the issue).
  aStagingBuilt = A.pushAndBuild("staging", probeAddon(), { stage: "staging" }).catch((e: Error) => e);
  pDevBuilt = P.pushAndBuild("a", probeAddon()).catch((e: Error) => e);
}, 300_000);

afterAll(async () => {
  stopWatching();
  await gateway?.close().catch(() => undefined);
  const background = [m4?.done, pDevBuilt, aStagingBuilt].filter(Boolean);
  await Promise.race([Promise.all(background), new Promise((r) => setTimeout(r, 120_000))]);
  for (const trap of [careless, pipTrap]) {
    trap?.server.closeAllConnections();
    await new Promise<void>((resolve) => (trap ? trap.server.close(() => resolve()) : resolve()));
  }
  await world?.close();
}, 300_000);

/**
 * A second database of A's, created the way A's production is owned and locked down (same owner
 * role, same CONNECT grants), with A's secret: drops aim at it so that a drop that succeeds fails
 * its own test instead of every later one.
 */
async function createDecoy(production: string): Promise<string> {
  const name = `${A.slug}--decoy-1`;
  const [[owner, acl]] = (await world.superSql(
    "postgres",
    `SELECT pg_get_userbyid(datdba), coalesce(datacl::text, '') FROM pg_database WHERE datname = ${quoteLiteral(production)}`,
  )) as [[string, string]];
  await world.superSql("postgres", `CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)} TEMPLATE template0`);
  if (acl !== "" && !/(^|[{,])=[A-Za-z]*c/.test(acl))
    await world.superSql("postgres", `REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
  await plantSecret(name, aSecret);
  return name;
}

/** An HTTP service bound to 0.0.0.0 on the host: records who reached it (answers 404). */
async function startTrap(): Promise<Trap> {
  const connections: { from: string; at: number }[] = [];
  const requests: { from: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ from: req.socket.remoteAddress ?? "", url: req.url ?? "" });
    res.writeHead(404).end();
  });
  server.on("connection", (s: Socket) => connections.push({ from: s.remoteAddress ?? "", at: Date.now() }));
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, connections, requests };
}

// -- the suites ---------------------------------------------------------------------------------------------
describe("inside B's server (Odoo's environment)", () => {
  let report: ProbeReport;
  let pidsLimit: number | null = null;

  beforeAll(async () => {
    const b = await auditContainer(world.engine, (await serverOf(bDev)).id);
    pidsLimit = b?.pidsLimit ?? null;
    const forkMax = pidsLimit && pidsLimit <= MAX_ACCEPTED_PIDS_LIMIT ? pidsLimit + 64 : 1100;
    report = await probeAsOdoo(forkMax);
  }, 200_000);

  it("control: the probe ran as Odoo, found B's credential, read B's own row, reached B's own server and database server", () => {
    expectOwnDatabaseReadable(report);
    const tcp = report.network!.tcp.filter((t) => t.kind === "control");
    expect(tcp.map((t) => `${t.name}: ${t.result}`)).toEqual(tcp.map((t) => `${t.name}: open`));
    for (const via of ["loopback", "own-ip"]) {
      expect(result(report, "health", via).status, `B's /web/health via ${via}`).toBe(200);
      expect(result(report, "version_info", via).json_has_result, `B's JSON-RPC route via ${via}`).toBe(true);
    }
  });

  it("C1: no credential it finds (env, /proc/*/environ, /proc/*/cmdline, odoo.conf, .pgpass, data dir) nor a guessed role opens A's database or template1", () => {
    expect(report.harvest!.credentials.length).toBeGreaterThan(0);
    expectNoCrossTenantDatabaseAccess(report);
  });

  it("C1: the only database role in B's container is B's own, never the role of another build", async () => {
    const ownRole = (await serverOf(bDev)).env.USER!;
    expect(ownRole, "B's role is not A's production role").not.toBe((await serverOf(aProd)).env.USER);
    expectOnlyOwnRoleFound(report, ownRole);
  });

  it("C1: B's role cannot create databases or roles, escalate, read server files, run programs, or change A's database", () => {
    const own = okAttempts(report).find((a) => a.db === bDev.databaseName)!;
    expect(own.results!.privileges!.rows, "rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls").toEqual([
      ["False", "False", "False", "False", "False"],
    ]);
    const allowed = (name: string) =>
      okAttempts(report)
        .filter((a) => a.results?.[name]?.ok)
        .map((a) => `${a.user}@${a.db}`);
    for (const name of [
      "create_database",
      "create_role",
      "alter_self_createdb",
      "read_server_file",
      "copy_to_program",
      "create_extension_dblink",
      "set_role_target",
      "set_role_postgres",
      "alter_target_database",
      "drop_decoy",
    ]) {
      expect(allowed(name), name).toEqual([]);
    }
  });

  it("C1: the maintenance database (postgres) takes nothing from B: no table, no function, no change to A's databases", () => {
    for (const name of ["create_table", "create_function", "alter_target_database", "drop_decoy"]) {
      expect(
        okAttempts(report)
          .filter((a) => a.db === "postgres" && a.results?.[name]?.ok)
          .map((a) => a.user),
        name,
      ).toEqual([]);
    }
  });

  it("C5: Odoo's database manager answers B's own server with refusals: db.list, db.dump, db.drop (master `admin` and every master password found), /web/database/*, /xmlrpc/2/db", async () => {
    const conf = report.harvest!.configs.find((c) => c.path === "/etc/odoo/odoo.conf");
    expect(conf?.list_db, "list_db in /etc/odoo/odoo.conf").toBe("False");
    expect(conf?.admin_passwd_is_admin, "the master password is Odoo's default").toBe(false);
    for (const via of ["loopback", "own-ip"]) {
      expectDbServiceRefused(result(report, "jsonrpc db.list", via), `jsonrpc db.list via ${via}`);
      for (const r of (report.odoo ?? []).filter((x) => x.via === via && /^jsonrpc db\.(dump|drop)/.test(x.name)))
        expectDbServiceRefused(r, `${r.name} via ${via}`);
      const list = result(report, "web/database/list", via);
      expect(list.json_has_result ?? false, `/web/database/list via ${via} returned ${JSON.stringify(list.json_result_list)}`).toBe(false);
      for (const r of (report.odoo ?? []).filter((x) => x.via === via && x.name.startsWith("xmlrpc"))) {
        expect(r.status === 200 && r.xmlrpc_has_params === true, `${r.name} via ${via} answered a result`).toBe(false);
      }
      for (const r of (report.odoo ?? []).filter(
        (x) => x.via === via && !["health", "version_info", "jsonrpc common.version"].includes(x.name),
      ))
        expectNoLeak(r, `${r.name} via ${via}`);
    }
    expect(await world.databaseExists(decoyDb), "A's database survived the drops").toBe(true);
    expect(await secretOf(aProd.databaseName!)).toEqual([aSecret]);
  });

  it("H4: A's server, the host's services (via every gateway), the Docker socket, link-local and the internet are out of reach", () => {
    const net = report.network!;
    const reached = net.tcp.filter((t) => t.kind === "attack" && t.result === "open").map((t) => t.name);
    expect(reached, "attack targets that accepted a TCP connection").toEqual([]);
    expect(
      net.target_http.filter((r) => r.status !== undefined).map((r) => `${r.name}: ${r.status}`),
      "HTTP answers from A's server",
    ).toEqual([]);
    expect(
      Object.entries(net.docker_socket)
        .filter(([, s]) => s.connected)
        .map(([p]) => p),
      "Docker sockets",
    ).toEqual([]);
    expect(
      careless.connections.filter((c) => !/^(::ffff:)?127\./.test(c.from)).map((c) => c.from),
      "connections the host's 0.0.0.0 service accepted",
    ).toEqual([]);
  });

  it("H4: non-root, no capability, no-new-privileges, a PidsLimit; a fork bomb ends at the limit and B's server survives", async () => {
    const id = report.identity!;
    expect(id.uid).not.toBe(0);
    expect(id.euid).not.toBe(0);
    for (const cap of ["CapEff", "CapPrm", "CapBnd", "CapAmb"]) expect(id.status[cap], cap).toBe("0000000000000000");
    expect(id.status.NoNewPrivs, "NoNewPrivs").toBe("1");
    expect(pidsLimit, "PidsLimit of B's server").not.toBeNull();
    expect(pidsLimit!).toBeLessThanOrEqual(MAX_ACCEPTED_PIDS_LIMIT);
    expect(id.pids_max?.value, "pids.max seen inside").not.toBe("max");
    const fork = report.fork!;
    expect(fork.spawned, "control: the probe can spawn processes").toBeGreaterThanOrEqual(20);
    expect(fork.spawned, `processes spawned before the limit (${fork.error ?? "no error"})`).toBeLessThan(fork.max);
    expect(fork.spawn_after_cleanup).toBe("ok");
    expect((await inspectContainer({ docker: world.deps.docker, id: bDev.containerName! }))?.running).toBe(true);
    expect((await world.proxy(bDev.hostname!, "GET", "/web/health")).status).toBe(200);
  });
});

describe("through the proxy", () => {
  const jsonrpc = (service: string, method: string, args: unknown[]) =>
    JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: { service, method, args } });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  it("control: B's hostname serves B's Odoo, its addon's route and JSON-RPC, and the proxy does not refuse /jsonrpc as a whole", async () => {
    const host = bDev.hostname!;
    expect((await world.proxy(host, "GET", "/web/health")).status).toBe(200);
    const ping = await world.proxy(host, "GET", "/hostile_probe/ping");
    expect(ping.status).toBe(200);
    expect(ping.text).toBe(`hostile-probe ${bDev.databaseName}`);
    const info = await world.proxy(host, "POST", "/web/webclient/version_info", {
      body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: {} }),
      contentType: "application/json",
    });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.text)).toHaveProperty("result");
    expect(
      (await world.proxy(host, "POST", "/jsonrpc", { body: jsonrpc("common", "version", []), contentType: "application/json" })).status,
    ).not.toBe(403);
  });

  it("C5: /web/database/*, /xmlrpc/db and /xmlrpc/2/db answer 403 on B's hostname (no login), whatever the master password", async () => {
    const host = bDev.hostname!;
    const target = aProd.databaseName!;
    const cases: [string, string, string | undefined, string | undefined][] = [
      ["GET", "/web/database/manager", undefined, undefined],
      ["GET", "/web/database/selector", undefined, undefined],
      ["POST", "/web/database/list", JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: {} }), "application/json"],
      [
        "POST",
        "/web/database/backup",
        form({ master_pwd: "admin", name: target, backup_format: "zip" }),
        "application/x-www-form-urlencoded",
      ],
      ["POST", "/web/database/drop", form({ master_pwd: "admin", name: decoyDb }), "application/x-www-form-urlencoded"],
      ["POST", "/xmlrpc/2/db", "<?xml version='1.0'?><methodCall><methodName>list</methodName><params></params></methodCall>", "text/xml"],
      ["POST", "/xmlrpc/db", "<?xml version='1.0'?><methodCall><methodName>list</methodName><params></params></methodCall>", "text/xml"],
    ];
    const answers: string[] = [];
    const leaks: string[] = [];
    for (const [method, urlPath, body, contentType] of cases) {
      const r = await world.proxy(host, method, urlPath, { body, contentType });
      answers.push(`${method} ${urlPath}: ${r.status}`);
      if (r.text.includes(aSecret) || r.text.includes(target) || r.body.subarray(0, 2).toString() === "PK")
        leaks.push(`${method} ${urlPath}`);
    }
    expect(answers).toEqual(cases.map(([m, p]) => `${m} ${p}: 403`));
    expect(leaks, "answers naming or leaking A's database").toEqual([]);
    expect(await world.databaseExists(decoyDb), "A's database survived the drop").toBe(true);
  });

  it("C5: the db service on /jsonrpc (list, dump, drop with master `admin`) is refused on B's hostname", async () => {
    const host = bDev.hostname!;
    const target = aProd.databaseName!;
    const outcomes: string[] = [];
    for (const [method, args] of [
      ["list", []],
      ["dump", ["admin", target, "zip"]],
      ["drop", ["admin", decoyDb]],
    ] as [string, unknown[]][]) {
      const r = await world.proxy(host, "POST", "/jsonrpc", { body: jsonrpc("db", method, args), contentType: "application/json" });
      let parsed: { result?: unknown; error?: { message?: string; data?: { name?: string } } } = {};
      try {
        parsed = JSON.parse(r.text) as typeof parsed;
      } catch {
        // not JSON: judged by the status
      }
      const error = `${parsed.error?.message ?? ""} ${parsed.error?.data?.name ?? ""}`.trim();
      const refused = r.status === 403 || (r.status === 200 && /access ?denied/i.test(error) && parsed.result === undefined);
      const leaked = r.text.includes(target) || r.text.includes(aSecret);
      if (!refused || leaked)
        outcomes.push(
          `db.${method}: ${r.status} ${error || r.text.slice(0, 120)}${leaked ? " (names or leaks A's database)" : ""}${r.status === 404 ? " — 404: no db service to refuse (stand-in, issue 11 item 2)" : ""}`,
        );
    }
    expect(outcomes, "db service calls not refused").toEqual([]);
    expect(await world.databaseExists(decoyDb), "A's database survived db.drop").toBe(true);
    expect(await secretOf(target)).toEqual([aSecret]);
  });
});

describe("in B's web shell", () => {
  it("C1: an admin's shell on B (the shell's own PGUSER/PGPASSWORD) reads B's row and nothing of A's", async () => {
    const report = await probeThroughShell(
      issueShellTicket({ key: shellTicketKey(world.deps.config.encryptionKey), userId: B.adminId, buildId: bDev.id }).ticket,
    );
    expectOwnDatabaseReadable(report);
    expect(report.identity!.env_keys, "the shell's psql environment").toEqual(expect.arrayContaining(["PGUSER", "PGPASSWORD"]));
    expectNoCrossTenantDatabaseAccess(report);
    expectOnlyOwnRoleFound(report, (await serverOf(bDev)).env.USER!);
  }, 150_000);

  it("C2: an anonymous visitor's shell on public project B reads B's row (control) and nothing of private project A", async () => {
    expect((await world.prisma.project.findUniqueOrThrow({ where: { id: A.id } })).publicAccess, "A is private").toBe(false);
    const report = await probeThroughShell(
      issueShellTicket({ key: shellTicketKey(world.deps.config.encryptionKey), userId: null, buildId: bDev.id }).ticket,
    );
    expectOwnDatabaseReadable(report);
    expectNoCrossTenantDatabaseAccess(report);
    expect(
      report.network!.tcp.filter((t) => t.kind === "attack" && t.result === "open").map((t) => t.name),
      "reachable attack targets",
    ).toEqual([]);
  }, 150_000);
});

describe("A's staging", () => {
  beforeAll(async () => {
    aStaging = await settled(aStagingBuilt);
  }, 200_000);

  it("control: A's staging copy of production carries A's row; C1: it runs with a role of its own, not production's", async () => {
    expect(await secretOf(aStaging.databaseName!)).toEqual([aSecret]);
    const staging = (await serverOf(aStaging)).env;
    const production = (await serverOf(aProd)).env;
    expect(staging.USER, "staging role").not.toBe(production.USER);
    expect(staging.PASSWORD, "staging password").not.toBe(production.PASSWORD);
  });
});

describe("connect tokens", () => {
  // The platform's transport: the control panel posts the signed token from an auto-submitting form
  // to /slipway/connect (never in a URL: Odoo logs request lines with their query strings).
  const token = (build: BuildRow) =>
    signConnectToken(connectSecretFor(world.deps.config.encryptionKey, build.id), {
      db: build.databaseName!,
      login: "admin",
      exp: Math.floor(Date.now() / 1000) + 60,
      nonce: randomBytes(16).toString("hex"),
    });
  const post = (build: BuildRow, t: string) =>
    world.proxy(build.hostname!, "POST", "/slipway/connect", {
      body: new URLSearchParams({ token: t }).toString(),
      contentType: "application/x-www-form-urlencoded",
    });

  it("M5: a connect token logs in once (control); the same token replayed, posted or in a URL, is refused", async () => {
    const t = token(bDev);
    const first = await post(bDev, t);
    expect(first.status, first.text.slice(0, 200)).toBe(303);
    expect(String(first.headers.location)).toMatch(/\/web$/);
    expect(String(first.headers["set-cookie"] ?? "")).toMatch(/session_id=/);
    const replays = [await post(bDev, t), await world.proxy(bDev.hostname!, "GET", `/slipway/connect?token=${encodeURIComponent(t)}`)];
    expect(
      replays.map((r) => r.status >= 400),
      `replays answered ${replays.map((r) => r.status).join(", ")}`,
    ).toEqual([true, true]);
    for (const r of replays) expect(String(r.headers["set-cookie"] ?? "")).not.toMatch(/session_id=/);
  });

  it("M5: a token of B's build opens nothing on A's production (control: it opens B's)", async () => {
    const forB = token(bDev);
    const onA = await post(aProd, forB);
    expect(onA.status, onA.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(String(onA.headers["set-cookie"] ?? "")).not.toMatch(/session_id=/);
    expect((await post(bDev, forB)).status).toBe(303);
  });

  it("M5: a token never lands in odoo.log (the request itself is logged: control)", async () => {
    const t = token(bDev);
    await post(bDev, t);
    const log = path.join(world.deps.config.home, "builds", bDev.id, "logs", "odoo.log");
    await expect
      .poll(
        () =>
          existsSync(log)
            ? readFileSync(log, "utf8")
                .split("\n")
                .filter((l) => l.includes("/slipway/connect")).length
            : 0,
        { timeout: 5_000 },
      )
      .toBeGreaterThan(0);
    const text = readFileSync(log, "utf8");
    expect(text.includes(t) || text.includes(encodeURIComponent(t)), "the token is in odoo.log").toBe(false);
  });
});

describe("colliding names", () => {
  let pDev: BuildRow;

  beforeAll(async () => {
    pDev = await settled(pDevBuilt);
  }, 240_000);

  it("C6: a slug that would forge another project's names is refused (control: the colliding pair itself is two valid slugs)", () => {
    expect(checkProjectSlug(P.slug).ok && checkProjectSlug(Q.slug).ok).toBe(true);
    expect(checkProjectSlug(`${P.slug}--a-1`).ok).toBe(false);
  });

  it("C6: P's development build and Q's production have different database, hostname and container names", () => {
    expect(pDev.number).toBe(1);
    expect(pDev.databaseName).not.toBe(qProd.databaseName);
    expect(pDev.hostname).not.toBe(qProd.hostname);
    expect(pDev.containerName).not.toBe(qProd.containerName);
    expect(qProd.hostname).toBe(`${Q.slug}.${BASE_DOMAIN}`);
  });

  it("C6: P's build left Q's production database alone (control: P's own database exists) and each hostname routes to its own build", async () => {
    expect(await world.databaseExists(pDev.databaseName!)).toBe(true);
    expect(await secretOf(qProd.databaseName!)).toEqual([qSecret]);
    expect((await world.proxy(qProd.hostname!, "GET", "/hostile_probe/ping")).text).toBe(`hostile-probe ${qProd.databaseName}`);
    expect((await world.proxy(pDev.hostname!, "GET", "/hostile_probe/ping")).text).toBe(`hostile-probe ${pDev.databaseName}`);
  });

  it("C6: the proxy refuses to give Q's hostname to P's build (control: P's own route is accepted again)", async () => {
    const pIp = (await serverOf(pDev)).ips[0]!;
    const takeover = {
      id: routeIdForBuild(pDev.id),
      projectId: P.id,
      hosts: [qProd.hostname!],
      upstream: `${pIp}:8069`,
      websocketUpstream: `${pIp}:8069`,
    };
    await expect(world.deps.caddy.upsertRoute(takeover as never)).rejects.toThrow(/already routed|conflict/i);
    expect((await world.proxy(qProd.hostname!, "GET", "/hostile_probe/ping")).text).toBe(`hostile-probe ${qProd.databaseName}`);
    await world.deps.caddy.upsertRoute({ ...takeover, hosts: [pDev.hostname!] } as never);
    expect((await world.proxy(pDev.hostname!, "GET", "/hostile_probe/ping")).text).toBe(`hostile-probe ${pDev.databaseName}`);
  });

  it("C6: releasing P's build drops P's database only (control: it is gone) — Q's production keeps its data", async () => {
    await releaseBuild({ deps: world.deps, build: { id: pDev.id, databaseName: pDev.databaseName }, keepData: false });
    expect(await world.databaseExists(pDev.databaseName!)).toBe(false);
    expect(await secretOf(qProd.databaseName!)).toEqual([qSecret]);
    expect((await world.proxy(qProd.hostname!, "GET", "/web/health")).status).toBe(200);
  });

  describe("imports", () => {
    const tmp = mkdtempSync(path.join(tmpdir(), "slipway-hostile-import-"));
    const store = new LocalBackupStore(path.join(tmp, "store"));
    let cleanZip = "";
    const pwned = `pwned_${randomBytes(4).toString("hex")}`;

    beforeAll(async () => {
      const backup = await createBackup({ deps: world.deps, store, branchId: qProd.branchId, kind: "manual" });
      const zip = await downloadBackup({ deps: world.deps, store, backupId: backup.id, format: "zip" });
      cleanZip = path.join(tmp, "clean.zip");
      await pipeline(zip.stream, createWriteStream(cleanZip));
    }, 200_000);

    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it("control: Q's admin imports a clean Odoo zip of its own production", async () => {
      const r = await importDatabase({ deps: world.deps, store, branchId: qProd.branchId, file: cleanZip, confirmOverwrite: true });
      expect(r.format).toBe("zip");
      expect(await secretOf(qProd.databaseName!)).toEqual([qSecret]);
    }, 200_000);

    it("C4: an Odoo zip whose dump.sql says \\connect <A's database> writes nothing into A's database", async () => {
      const evil = path.join(tmp, "evil.zip");
      const tail = `\n\\connect ${aProd.databaseName}\nCREATE TABLE ${pwned} ();\n`;
      // Same entries, dump.sql with psql meta-commands appended (past the first 64 KB validation reads).
      const rewrite = [
        "import sys, zipfile",
        "src, dst, tail = sys.argv[1], sys.argv[2], sys.argv[3]",
        "with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zo:",
        "    for info in zi.infolist():",
        "        data = zi.read(info)",
        "        if info.filename == 'dump.sql':",
        "            data += tail.encode()",
        "        zo.writestr(info.filename, data)",
      ].join("\n");
      writeFileSync(path.join(tmp, "rewrite.py"), rewrite);
      execFileSync("python3", [path.join(tmp, "rewrite.py"), cleanZip, evil, tail]);
      const outcome = await importDatabase({ deps: world.deps, store, branchId: qProd.branchId, file: evil, confirmOverwrite: true }).then(
        () => "imported",
        (e: Error) => `refused: ${e.message}`,
      );
      expect(await world.tableExists(aProd.databaseName!, pwned), `A's database got the table (import ${outcome})`).toBe(false);
      expect(await secretOf(aProd.databaseName!)).toEqual([aSecret]);
      expect(outcome, "an upload with psql meta-commands is refused").toMatch(/^refused/);
      expect(await secretOf(qProd.databaseName!), "Q's production is untouched by the refused import").toEqual([qSecret]);
    }, 200_000);
  });
});

describe("requirements image", () => {
  it("M4: pip of a requirements.txt reaches no host or private address (control: pip did try the requirement)", async () => {
    const outcome = await m4!.done;
    const pipLog = path.join(world.deps.config.home, "builds", m4!.buildId, "logs", "pip.log");
    const log = existsSync(pipLog) ? readFileSync(pipLog, "utf8") : "";
    expect(log, `pip.log (build: ${outcome instanceof Error ? outcome.message : outcome.state})`).toContain(
      `${DOCKER0}:${pipTrap.port}/m4/`,
    );
    expect(
      pipTrap.connections.map((c) => c.from),
      "connections the requirements build opened to the host",
    ).toEqual([]);
  }, 200_000);
});

describe("every container started for the tenants", () => {
  it("C3, H4: build containers are hardened; helpers run a platform image with no network (control: servers, steps and helpers were all seen)", async () => {
    const builds = new Set((await world.prisma.build.findMany({ select: { id: true } })).map((b) => b.id));
    const ids = new Set(world.tenants.flatMap((t) => [t.id, t.slug]));
    const all = (await Promise.all([...audits.values()])).filter((a): a is ContainerAudit => a !== null);
    const ours = all.filter((a) => ids.has(a.labels["org.slipway.project"] ?? "") || builds.has(a.labels["org.slipway.build"] ?? ""));
    const projectImage = (a: ContainerAudit) => a.image === image || a.image.startsWith("slipway/odoo-requirements");
    // Odoo runs (server, install, tests, neutralize …) run the project's code; everything else is a helper.
    const buildContainers = ours.filter((a) => a.role.startsWith("odoo-") && a.role !== "odoo-postgres");
    const helpers = ours.filter((a) => !buildContainers.includes(a));
    expect(buildContainers.filter((a) => a.role === "odoo-server").length, "server containers seen").toBeGreaterThan(0);
    expect(
      buildContainers.filter((a) => a.role !== "odoo-server").length,
      "one-off Odoo runs (install, neutralize …) seen",
    ).toBeGreaterThan(0);
    const roles = ours.map((a) => a.role);
    expect(roles, "a filestore helper (A's staging copy) was seen").toContain("filestore-helper");

    const dockerRoot = /^\/var\/lib\/docker(\/volumes)?\/?$/;
    const problems: string[] = [];
    const check = (a: ContainerAudit, what: string, ok: boolean) => {
      if (!ok) problems.push(`${a.role || "?"} ${a.name} (${a.image}): ${what}`);
    };
    for (const a of ours) {
      check(a, `CapDrop ${JSON.stringify(a.capDrop)}`, a.capDrop.map((c) => c.toUpperCase()).includes("ALL"));
      check(
        a,
        `SecurityOpt ${JSON.stringify(a.securityOpt)}`,
        a.securityOpt.some((o) => /^no-new-privileges(:true)?$/.test(o)),
      );
      check(a, "privileged", !a.privileged);
      check(a, `network ${a.networkMode}`, !["default", "bridge", "host"].includes(a.networkMode) && !a.networks.includes("bridge"));
      check(a, "mounts the Docker socket", !a.binds.some((b) => /docker\.sock$/.test(b.source)));
    }
    for (const a of buildContainers) {
      check(a, `user "${a.user}"`, !["root", "0", "0:0"].includes(a.user));
      check(a, "no PidsLimit", a.pidsLimit !== null && a.pidsLimit <= MAX_ACCEPTED_PIDS_LIMIT);
      check(a, "no memory limit", a.memory > 0);
      check(a, "mounts the engine's volumes folder", !a.binds.some((b) => dockerRoot.test(b.source)));
    }
    for (const a of helpers) {
      check(a, "runs a project's image", !projectImage(a));
      // Helpers that only move files (filestore copies, backups' filestore tar streams) need no network.
      if (/filestore/.test(a.role)) check(a, `network ${a.networkMode} for a file helper`, a.networkMode === "none");
    }
    expect(problems).toEqual([]);
  });
});
