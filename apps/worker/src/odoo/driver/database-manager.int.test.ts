// Odoo's database manager is off on every build (issue 11, C5). A real stand-in server started by
// the driver (generated config, platform addon loaded server-wide), reached through the real Caddy
// route, refuses every way in; reached directly, Odoo's own locks refuse it too. Positive controls
// prove the probes are real: the same route serves Odoo, `/jsonrpc` passes the proxy for other
// services, and a control server on the same database — whose only difference is `list_db = True`
// and no platform addon — really dumps the database with the build's master password (the
// database's own uuid is in the dump), while Odoo's default `admin` is refused.
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAndStart,
  connectDocker,
  ensureNetwork,
  execCommand,
  inspectContainer,
  removeContainers,
  removeNetworks,
  removeVolumes,
  waitForHttp,
} from "@slipway/docker";
import { openZipEntry, readZipDirectory } from "../../backups/archive/zip-reader";
import { CaddyClient, odooUpstreams, routeIdForBuild } from "../../proxy/caddy";
import {
  ODOO_RC_PATH,
  contextEnv,
  createDatabase,
  odooConfigHostPath,
  parseAdminPassword,
  serve,
  serveArgs,
  type OdooContext,
} from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const IMAGE = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const PG_IMAGE = process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15";
const caddy = new CaddyClient({ adminUrl: process.env.SLIPWAY_CADDY_ADMIN_URL ?? "http://127.0.0.1:20190" });
const proxyPort = Number(process.env.SLIPWAY_PROXY_PORT ?? 8480);
const PLATFORM_ADDONS = resolve(__dirname, "../../../odoo-addons");

const tag = `${process.pid}`;
const selector = { test: "database-manager" };
const labels = { ...selector };
const network = `slipway-test-dbm-${tag}`;
const pgName = `slipway-test-dbm-pg-${tag}`;
const role = "dbm_odoo";
const rolePassword = randomBytes(18).toString("hex");
const database = `dbm_${tag}`;
const host = `dbm-${tag}.slipway.localhost`;
const routeId = routeIdForBuild(`dbm-test-${tag}`);
const tmp = mkdtempSync(join(tmpdir(), "slipway-dbm-"));

let ctx: OdooContext;
let serverUrl: string;
let controlUrl: string;
let masterPassword: string;
let dbUuid: string;

interface Answer {
  status: number;
  type: string;
  body: string;
}

async function send(url: string, init: { method?: string; body?: string; type?: string; host?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.type) headers["content-type"] = init.type;
  if (init.host) headers.host = init.host;
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body,
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: Buffer.from(await res.arrayBuffer()).toString("latin1") };
}

/** Through Caddy: fetch() cannot set Host, so the proxy is reached with node's http client. */
function viaProxy(path: string, init: { method?: string; body?: string; type?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: proxyPort,
        path,
        method: init.method ?? "GET",
        agent: false,
        timeout: 15_000,
        headers: { host, ...(init.type ? { "content-type": init.type } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString("latin1"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

const jsonrpc = (service: string, method: string, args: unknown[]) => ({
  method: "POST",
  type: "application/json",
  body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: 7, params: { service, method, args } }),
});
const xmlrpc = (method: string, args: string[]) => ({
  method: "POST",
  type: "text/xml",
  body: `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${args.map((a) => `<param><value><string>${a}</string></value></param>`).join("")}</params></methodCall>`,
});
const form = (fields: Record<string, string>) => ({
  method: "POST",
  type: "application/x-www-form-urlencoded",
  body: new URLSearchParams(fields).toString(),
});

function rpcError(a: Answer): string | null {
  const parsed = JSON.parse(a.body) as { result?: unknown; error?: { data?: { name?: string } } };
  expect(parsed.result).toBeUndefined();
  return parsed.error?.data?.name ?? null;
}

/** A PostgreSQL server of the test's own, with one role that may create databases (Odoo's `-d`). */
async function startPostgres(): Promise<void> {
  await ensureNetwork({ docker, name: network, labels: { ...labels, role: "test-network" } });
  // POSTGRES_ROLE_PASSWORD: read by older images of slipway/postgres, ignored by newer ones.
  await createAndStart({
    docker,
    spec: {
      name: pgName,
      image: PG_IMAGE,
      labels: { ...labels, role: "test-postgres" },
      env: { POSTGRES_ROLE_PASSWORD: rolePassword },
      network,
    },
  });
  const setup = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF; END $$;`,
    `ALTER ROLE ${role} WITH LOGIN CREATEDB PASSWORD '${rolePassword}';`,
    "DO $$ BEGIN EXECUTE format('COPY (SELECT l FROM (VALUES (1, %L), (2, %L)) v(n, l) ORDER BY n) TO %L', 'local all postgres peer', 'host all all 0.0.0.0/0 scram-sha-256', current_setting('hba_file')); END $$;",
    "SELECT pg_reload_conf();",
    "",
  ].join("\n");
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await execCommand({
      docker,
      id: pgName,
      user: "postgres",
      cmd: ["pg_isready", "-q", "-h", "/run/postgresql"],
      timeoutMs: 10_000,
    }).catch(() => null);
    if (ready?.exitCode === 0) {
      const res = await execCommand({
        docker,
        id: pgName,
        user: "postgres",
        cmd: ["psql", "-h", "/run/postgresql", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
        stdin: setup,
        timeoutMs: 30_000,
      });
      if (res.exitCode === 0) {
        const ok = await sql("postgres", "SELECT 1 AS one").catch(() => null);
        if (ok) return;
      }
    }
    if (Date.now() > deadline) throw new Error("the test's PostgreSQL server was not ready in time");
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function sql(db: string, query: string): Promise<Array<Record<string, unknown>>> {
  const info = await inspectContainer({ docker, id: pgName });
  const client = new pg.Client({
    host: info!.networks[network],
    port: 5432,
    user: role,
    password: rolePassword,
    database: db,
    connectionTimeoutMillis: 2_000,
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The entries of an Odoo backup zip (name → text). */
async function unzip(bytes: Buffer): Promise<Record<string, string>> {
  const file = join(tmp, `dump-${randomBytes(4).toString("hex")}.zip`);
  writeFileSync(file, bytes);
  const out: Record<string, string> = {};
  for (const entry of await readZipDirectory(file, bytes.length)) {
    if (!entry.isDirectory) out[entry.name] = await readAll(await openZipEntry(file, entry, bytes.length));
  }
  return out;
}

beforeAll(async () => {
  await startPostgres();
  ctx = {
    docker,
    image: IMAGE,
    database,
    db: { host: pgName, port: 5432, user: role, password: rolePassword },
    network,
    platformAddonsHostPath: PLATFORM_ADDONS,
    dataVolume: `slipway-test-dbm-data-${tag}`,
    logDir: join(tmp, "build", "logs"),
    labels: { ...labels, project: "dbm", build: tag },
    limits: { cpus: 1, memoryBytes: 1024 ** 3, timeoutMs: 120_000 },
  };
  const created = await createDatabase({ ctx, withDemo: false });
  expect(created.exitCode).toBe(0);
  dbUuid = String((await sql(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"))[0]?.value);
  expect(dbUuid).toMatch(/^[0-9a-f-]{36}$/);

  const server = await serve({
    ctx,
    containerName: `slipway-test-dbm-odoo-${tag}`,
    serverWideModules: ["slipway_connect"],
    restart: "no",
    healthTimeoutMs: 60_000,
  });
  server.logFollower?.stop();
  expect(server.healthy).toBe(true);
  serverUrl = server.httpUrl!;
  masterPassword = parseAdminPassword(readFileSync(odooConfigHostPath(ctx), "utf8"))!;
  await caddy.upsertRoute({ id: routeId, projectId: randomUUID(), hosts: [host], ...odooUpstreams(server.ip!, 0) });

  // The control server: the same image, database, data volume, connection and master password;
  // only `list_db = True` and no platform addon (the official image as Odoo ships it).
  const controlConf = join(tmp, "control", "odoo.conf");
  const text = readFileSync(odooConfigHostPath(ctx), "utf8")
    .replace("list_db = False", "list_db = True")
    .replace(/^addons_path = .*$/m, "");
  rmSync(dirname(controlConf), { recursive: true, force: true });
  mkdirSync(dirname(controlConf), { mode: 0o700 });
  writeFileSync(controlConf, text);
  chmodSync(controlConf, 0o644);
  const control = await createAndStart({
    docker,
    spec: {
      name: `slipway-test-dbm-control-${tag}`,
      image: IMAGE,
      labels: { ...labels, role: "test-odoo-control" },
      cmd: serveArgs({ database, addonsPath: "", workers: 0, maxCronThreads: 0 }),
      env: contextEnv(ctx),
      mounts: [
        { type: "volume", source: ctx.dataVolume, target: "/var/lib/odoo" },
        { type: "bind", source: controlConf, target: ODOO_RC_PATH, readOnly: true },
      ],
      network,
      user: "odoo",
    },
  });
  controlUrl = `http://${control.networks[network]}:8069`;
  expect((await waitForHttp({ url: `${controlUrl}/web/health`, timeoutMs: 60_000, intervalMs: 250 })).ok).toBe(true);
});

afterAll(async () => {
  await caddy.removeRoute(routeId).catch(() => undefined);
  await removeContainers({ docker, labels: selector });
  await removeVolumes({ docker, labels: selector });
  await removeNetworks({ docker, labels: selector });
  rmSync(tmp, { recursive: true, force: true });
});

describe("the generated Odoo config", () => {
  it("is 0644 in a 0700 folder outside the log folder, readable by Odoo's user in the container, and never on the command line", async () => {
    const file = odooConfigHostPath(ctx);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(file.startsWith(ctx.logDir)).toBe(false);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^list_db = False$/m);
    expect(masterPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The database's name only (a bare `odoo shell` opens it); never a host, user or password.
    expect(text.match(/^\s*db_\w+/gm)).toEqual(["db_name"]);
    const inside = await execCommand({
      docker,
      id: `slipway-test-dbm-odoo-${tag}`,
      user: "odoo",
      cmd: ["cat", ODOO_RC_PATH],
      timeoutMs: 10_000,
    });
    expect(inside).toMatchObject({ exitCode: 0, stdout: text });
    for (const log of ["install.log", "odoo.log"]) expect(readFileSync(join(ctx.logDir, log), "utf8")).not.toContain(masterPassword);
  });
});

describe("through the proxy, on the build's hostname", () => {
  it("serves Odoo, and /jsonrpc for services other than db (controls)", async () => {
    const login = await viaProxy("/web/login");
    expect(login.status).toBe(200);
    expect(login.body).toContain("oe_login_form");
    const version = await viaProxy("/jsonrpc", jsonrpc("common", "version", []));
    expect(JSON.parse(version.body).result.server_serie).toBe("17.0");
  });

  it("answers 403 for the database manager's pages, forms and the XML-RPC db service", async () => {
    const refused: Array<[string, Parameters<typeof viaProxy>[1]]> = [
      ["/web/database/manager", {}],
      ["/web/database/selector", {}],
      [
        "/web/database/list",
        { method: "POST", type: "application/json", body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: {} }) },
      ],
      ["/web/database/backup", form({ master_pwd: masterPassword, name: database, backup_format: "zip" })],
      ["/web/database/drop", form({ master_pwd: masterPassword, name: database })],
      ["/xmlrpc/2/db", xmlrpc("list", [])],
      ["/xmlrpc/2/db", xmlrpc("dump", [masterPassword, database, "zip"])],
      ["/xmlrpc/db", xmlrpc("list", [])],
    ];
    for (const [path, init] of refused) {
      const res = await viaProxy(path, init);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body).not.toContain(database);
    }
  });

  it("refuses the db service on /jsonrpc (list, dump with the real master password, even server_version)", async () => {
    for (const call of [
      jsonrpc("db", "list", []),
      jsonrpc("db", "dump", [masterPassword, database, "zip"]),
      jsonrpc("db", "server_version", []),
    ]) {
      const res = await viaProxy("/jsonrpc", call);
      expect(res.status).toBe(200);
      expect(rpcError(res)).toBe("odoo.exceptions.AccessDenied");
      expect(res.body).not.toContain(database);
    }
  });
});

describe("directly on the build's container (no proxy)", () => {
  it("Odoo's own lock: the manager page says it is disabled and lists nothing, the list and the backup form are refused", async () => {
    const manager = await send(`${serverUrl}/web/database/manager`);
    expect(manager.status).toBe(200);
    expect(manager.body).toContain("The database manager has been disabled by the administrator");
    expect(manager.body).not.toContain(database);
    const list = await send(`${serverUrl}/web/database/list`, {
      method: "POST",
      type: "application/json",
      body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: {} }),
    });
    expect(rpcError(list)).toBe("odoo.exceptions.AccessDenied");
    const backup = await send(
      `${serverUrl}/web/database/backup`,
      form({ master_pwd: masterPassword, name: database, backup_format: "zip" }),
    );
    expect(backup.status).toBe(200);
    expect(backup.type).toContain("text/html");
    expect(backup.body).toContain("Database backup error: Access Denied");
  });

  it("the platform addon refuses the whole db service on /jsonrpc and XML-RPC (even server_version, which Odoo serves), other services answer", async () => {
    for (const call of [jsonrpc("db", "dump", [masterPassword, database, "zip"]), jsonrpc("db", "server_version", [])]) {
      expect(rpcError(await send(`${serverUrl}/jsonrpc`, call))).toBe("odoo.exceptions.AccessDenied");
    }
    for (const call of [xmlrpc("list", []), xmlrpc("server_version", [])]) {
      const xml = await send(`${serverUrl}/xmlrpc/2/db`, call);
      expect(xml.body).toMatch(/<name>faultCode<\/name>\s*<value><int>3<\/int><\/value>/);
      expect(xml.body).not.toContain(database);
    }
    const version = await send(`${serverUrl}/xmlrpc/2/common`, xmlrpc("version", []));
    expect(version.body).toContain("<name>server_serie</name>");
    // Control: without the addon, Odoo answers server_version (no master password needed).
    expect(JSON.parse((await send(`${controlUrl}/jsonrpc`, jsonrpc("db", "server_version", []))).body).result).toMatch(/^17\.0/);
    const xmlControl = await send(`${controlUrl}/xmlrpc/2/db`, xmlrpc("server_version", []));
    expect(xmlControl.body).toMatch(/<string>17\.0[^<]*<\/string>/);
  });
});

describe("positive control: the same database behind list_db = True, without the platform addon", () => {
  it("lists the database and dumps it with the build's master password; Odoo's default `admin` is refused", async () => {
    const list = await send(`${controlUrl}/jsonrpc`, jsonrpc("db", "list", []));
    expect(JSON.parse(list.body).result).toEqual([database]);

    const withDefault = await send(`${controlUrl}/jsonrpc`, jsonrpc("db", "dump", ["admin", database, "zip"]));
    expect(rpcError(withDefault)).toBe("odoo.exceptions.AccessDenied");

    const dump = await send(`${controlUrl}/jsonrpc`, jsonrpc("db", "dump", [masterPassword, database, "zip"]));
    const result = (JSON.parse(dump.body) as { result: string }).result;
    const files = await unzip(Buffer.from(result, "base64"));
    expect(JSON.parse(files["manifest.json"]!)).toMatchObject({ odoo_dump: "1", db_name: database });
    expect(files["dump.sql"]).toContain(dbUuid);
    expect(files["dump.sql"]).toMatch(/COPY public\."?res_users"? /);
  });

  it("the backup form dumps with the build's master password (the same form the build refuses)", async () => {
    const backup = await send(
      `${controlUrl}/web/database/backup`,
      form({ master_pwd: masterPassword, name: database, backup_format: "zip" }),
    );
    expect(backup.status).toBe(200);
    const files = await unzip(Buffer.from(backup.body, "latin1"));
    expect(files["dump.sql"]).toContain(dbUuid);
  });
});
