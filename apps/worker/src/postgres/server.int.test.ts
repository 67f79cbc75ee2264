// The managed server's access model (ADR 0005) on a real server: the administration role stays in
// the worker's network, every database has a role of its own that opens it and nothing else.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { connectDocker, inspectContainer, removeContainers, removeNetworks, removeVolumes, runToCompletion } from "@slipway/docker";
import {
  adoptDatabase,
  copyDatabase,
  createDatabase,
  databaseCredentials,
  databaseExists,
  databaseSize,
  dropDatabase,
  ensureManagedPostgres,
  listDatabases,
  queryDatabase,
  renameDatabase,
  withClient,
  type ManagedPostgres,
} from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const tag = `${process.pid}`;
const home = mkdtempSync(join(tmpdir(), "slipway-mpg-"));
const image = process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15";
const options = {
  docker,
  image,
  home,
  containerName: `slipway-test-pg-${tag}`,
  volumeName: `slipway-test-pg-data-${tag}`,
  platformNetwork: `slipway-test-platform-${tag}`,
  toolsNetwork: `slipway-test-tools-${tag}`,
  labels: { test: "managed-postgres" },
};

/** Logs in from the worker's host with the given role; the error code when refused. */
async function login(
  conn: ManagedPostgres,
  user: string,
  password: string,
  database: string,
): Promise<{ ok: true; client: pg.Client } | { ok: false; code: string }> {
  const client = new pg.Client({ host: conn.host, port: conn.port, user, password, database, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return { ok: true, client };
  } catch (error) {
    await client.end().catch(() => undefined);
    return { ok: false, code: (error as { code?: string }).code ?? String(error) };
  }
}

async function asRole<T>(conn: ManagedPostgres, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const creds = databaseCredentials(conn, database);
  const r = await login(conn, creds.user, creds.password, database);
  if (!r.ok) throw new Error(`login refused: ${r.code}`);
  try {
    return await fn(r.client);
  } finally {
    await r.client.end();
  }
}

/** psql in a container on the tools network (not the platform network), as `user`. */
async function psqlFromTools(
  conn: ManagedPostgres,
  user: string,
  password: string,
  database: string,
): Promise<{ exitCode: number | null; output: string }> {
  const lines: string[] = [];
  const run = await runToCompletion({
    docker,
    spec: {
      image,
      entrypoint: ["psql"],
      cmd: ["-h", conn.hostForBuilds, "-U", user, "-d", database, "-tAc", "SELECT 'in:' || current_user"],
      env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" },
      network: conn.toolsNetwork,
      labels: { test: "managed-postgres", role: "probe" },
    },
    timeoutMs: 30_000,
    onLine: (l) => lines.push(l.line),
  });
  return { exitCode: run.exitCode, output: lines.join("\n") };
}

let conn: ManagedPostgres;

beforeAll(async () => {
  conn = await ensureManagedPostgres(options);
}, 120_000);

afterAll(async () => {
  await removeContainers({ docker, labels: { test: "managed-postgres" } });
  await removeNetworks({ docker, labels: { test: "managed-postgres" } });
  await removeVolumes({ docker, labels: { test: "managed-postgres" } });
  rmSync(home, { recursive: true, force: true });
});

describe("managed PostgreSQL", () => {
  it("starts once, reuses everything on a second ensure; the administration role is no superuser", async () => {
    expect(conn.admin.user).toBe("slipway_admin");
    const info = await inspectContainer({ docker, id: options.containerName });
    expect(Object.keys(info!.networks).sort()).toEqual([options.platformNetwork, options.toolsNetwork].sort());
    expect(statSync(join(home, "odoo-postgres")).isDirectory()).toBe(true);
    const again = await ensureManagedPostgres(options);
    expect(again.admin.password).toBe(conn.admin.password);
    expect(again.roleSecret).toBe(conn.roleSecret);
    expect((await inspectContainer({ docker, id: options.containerName }))!.id).toBe(info!.id);
    const self = await withClient(
      { pg: conn },
      async (c) => (await c.query("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user")).rows[0],
    );
    expect(self).toEqual({ rolsuper: false, rolcreatedb: true, rolcreaterole: true });

    // Another state folder (or a lost one) drives the same server: the running container's own
    // environment wins, so processes never reset each other's secrets.
    rmSync(join(home, "odoo-postgres"), { recursive: true });
    const other = await ensureManagedPostgres({ ...options, home: mkdtempSync(join(tmpdir(), "slipway-mpg-other-")) });
    expect(other.admin.password).toBe(conn.admin.password);
    expect(other.roleSecret).toBe(conn.roleSecret);
  });

  it("gives each database a role that opens it and nothing else (C1)", async () => {
    const a = `mpg-a-${tag}`;
    const b = `mpg-b-${tag}`;
    await createDatabase({ pg: conn, name: a });
    await createDatabase({ pg: conn, name: b });
    await asRole(conn, a, (c) => c.query("CREATE TABLE secret (v text); INSERT INTO secret VALUES ('a-data')"));
    await asRole(conn, b, (c) => c.query("CREATE TABLE secret (v text); INSERT INTO secret VALUES ('b-data')"));

    // Control: A's role reads A's table.
    expect(await asRole(conn, a, async (c) => (await c.query("SELECT v FROM secret")).rows)).toEqual([{ v: "a-data" }]);
    const credsA = databaseCredentials(conn, a);
    // A's role on B's database, on template1, with a wrong password: refused at login.
    const onB = await login(conn, credsA.user, credsA.password, b);
    expect(onB).toEqual({ ok: false, code: "28000" });
    expect(await login(conn, credsA.user, credsA.password, "template1")).toEqual({ ok: false, code: "28000" });
    expect(await login(conn, credsA.user, "guess", a)).toEqual({ ok: false, code: "28P01" });
    // The maintenance database opens (Odoo checks its database there) but holds nothing and grants nothing.
    const maint = await login(conn, credsA.user, credsA.password, "postgres");
    expect(maint.ok).toBe(true);
    if (maint.ok) {
      const created = await maint.client.query("CREATE DATABASE mpg_evil").then(
        () => "created",
        (e: { code?: string }) => e.code,
      );
      expect(created).toBe("42501");
      const table = await maint.client.query("CREATE TABLE public.evil (v int)").then(
        () => "created",
        (e: { code?: string }) => e.code,
      );
      expect(table).toBe("42501");
      const roles = await maint.client.query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; member_of: number }>(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS member_of FROM pg_roles r WHERE rolname = current_user",
      );
      expect(roles.rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, member_of: 0 });
      await maint.client.end();
    }
    // CONNECT is revoked from PUBLIC on every database: only its owner (and the administration role through it).
    const acl = await withClient(
      { pg: conn },
      async (c) => (await c.query<{ acl: string }>("SELECT datacl::text AS acl FROM pg_database WHERE datname = $1", [a])).rows[0]!.acl,
    );
    expect(acl).not.toMatch(/(^|[{,])=/);
    // The administration role is refused from any network but the platform's, even with its password …
    const adminFromTools = await psqlFromTools(conn, conn.admin.user, conn.admin.password, a);
    expect(adminFromTools.exitCode).not.toBe(0);
    expect(adminFromTools.output).toMatch(/pg_hba.conf rejects connection .*user "slipway_admin"/);
    // … while a database role logs in from there (control).
    const roleFromTools = await psqlFromTools(conn, credsA.user, credsA.password, a);
    expect(roleFromTools.output).toContain(`in:${a}`);
    // The superuser never logs in over the network.
    expect((await psqlFromTools(conn, "postgres", "postgres", "postgres")).output).toMatch(
      /pg_hba.conf rejects connection .*user "postgres"/,
    );

    await dropDatabase({ pg: conn, name: a });
    await dropDatabase({ pg: conn, name: b });
    const roles = await withClient(
      { pg: conn },
      async (c) => (await c.query("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [[a, b]])).rowCount,
    );
    expect(roles).toBe(0);
  });

  it("copies (the copy keeps its origin's owner and opens to nobody), renames (the role follows), adopts, drops", async () => {
    const src = `mpg-src-${tag}`;
    const dst = `mpg-src-${tag}_pre_1`;
    await createDatabase({ pg: conn, name: src });
    await asRole(conn, src, (c) => c.query("CREATE TABLE t (v int); INSERT INTO t VALUES (42)"));
    expect(await listDatabases({ pg: conn })).toContain(src);
    expect(await databaseSize({ pg: conn, name: src })).toBeGreaterThan(1_000_000);

    // A client still connected to the source (a running Odoo): the copy closes it.
    await asRole(conn, src, async () => copyDatabase({ pg: conn, source: src, target: dst })).catch(() => undefined);
    expect(
      await queryDatabase({
        pg: conn,
        database: dst,
        sql: "SELECT v, pg_get_userbyid(relowner) AS owner FROM t, pg_class WHERE relname = 't'",
      }),
    ).toEqual([{ v: 42, owner: src }]);
    const creds = databaseCredentials(conn, src);
    expect(await login(conn, creds.user, creds.password, dst)).toEqual({ ok: false, code: "28000" });
    const conflict = await copyDatabase({ pg: conn, source: src, target: dst }).catch((e: unknown) => e);
    expect(isDomainError(conflict, "conflict")).toBe(true);

    // Rename of a database owned by its own role: the role is renamed with it and keeps working.
    const moved = `mpg-moved-${tag}`;
    await renameDatabase({ pg: conn, from: src, to: moved });
    expect(await asRole(conn, moved, async (c) => (await c.query("SELECT v FROM t")).rows)).toEqual([{ v: 42 }]);

    // Adoption: the snapshot's objects (owned by the origin's role, now `moved`) become the snapshot's own role's.
    await adoptDatabase({ pg: conn, database: dst, from: moved });
    expect(await asRole(conn, dst, async (c) => (await c.query("SELECT v FROM t")).rows)).toEqual([{ v: 42 }]);
    const owners = await withClient(
      { pg: conn },
      async (c) =>
        (
          await c.query("SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY($1) ORDER BY 1", [
            [moved, dst],
          ])
        ).rows,
    );
    expect(owners).toEqual(
      [
        { datname: moved, owner: moved },
        { datname: dst, owner: dst },
      ].sort((x, y) => x.datname.localeCompare(y.datname)),
    );

    await asRole(conn, dst, async () => dropDatabase({ pg: conn, name: dst })).catch(() => undefined);
    expect(await databaseExists({ pg: conn, name: dst })).toBe(false);
    await dropDatabase({ pg: conn, name: moved });
    const missing = await databaseSize({ pg: conn, name: moved }).catch((e: unknown) => e);
    expect(isDomainError(missing, "not_found")).toBe(true);
    await expect(dropDatabase({ pg: conn, name: "postgres" })).rejects.toThrow(/invalid/);
    await expect(createDatabase({ pg: conn, name: "slipway_admin" })).rejects.toThrow(/invalid/);
  });
});
