import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { connectDocker, inspectContainer, removeContainers, removeNetworks, removeVolumes } from "@slipway/docker";
import { ensureManagedPostgres, type ManagedPostgres } from "./managed-postgres";
import { copyDatabase, databaseExists, databaseSize, dropDatabase, listDatabases, queryDatabase, withClient } from "./odoo-databases";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const tag = `${process.pid}`;
const home = mkdtempSync(join(tmpdir(), "slipway-mpg-"));
const options = {
  docker,
  image: process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15",
  home,
  containerName: `slipway-test-pg-${tag}`,
  volumeName: `slipway-test-pg-data-${tag}`,
  platformNetwork: `slipway-test-platform-${tag}`,
  buildsNetwork: `slipway-test-builds-${tag}`,
  labels: { test: "managed-postgres" },
};

afterAll(async () => {
  await removeContainers({ docker, labels: { test: "managed-postgres" } });
  await removeNetworks({ docker, labels: { test: "managed-postgres" } });
  await removeVolumes({ docker, labels: { test: "managed-postgres" } });
  rmSync(home, { recursive: true, force: true });
});

describe("managed PostgreSQL", () => {
  let conn: ManagedPostgres;

  it("starts once, reuses everything on a second ensure, recovers a lost password", async () => {
    conn = await ensureManagedPostgres(options);
    expect(conn.user).toBe("odoo");
    const info = await inspectContainer({ docker, id: options.containerName });
    expect(Object.keys(info!.networks).sort()).toEqual([options.buildsNetwork, options.platformNetwork].sort());
    expect(statSync(join(home, "odoo-postgres")).isDirectory()).toBe(true);
    const again = await ensureManagedPostgres(options);
    expect(again.password).toBe(conn.password);
    expect((await inspectContainer({ docker, id: options.containerName }))!.id).toBe(info!.id);
    const isSuper = await withClient({ pg: conn }, async (c) => (await c.query("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user")).rows[0]);
    expect(isSuper).toEqual({ rolsuper: false, rolcreatedb: true });

    // Another state folder (or a lost one) drives the same server: the running container's own
    // environment wins, so processes never reset each other's password.
    rmSync(join(home, "odoo-postgres"), { recursive: true });
    const other = await ensureManagedPostgres({ ...options, home: mkdtempSync(join(tmpdir(), "slipway-mpg-other-")) });
    expect(other.password).toBe(conn.password);
    expect(await withClient({ pg: other }, async (c) => (await c.query("SELECT 1 AS ok")).rows[0])).toEqual({ ok: 1 });

    // A server whose role password drifted from its container's environment is brought back in line.
    await withClient({ pg: conn }, (c) => c.query("ALTER ROLE odoo PASSWORD 'drifted-password'"));
    const recovered = await ensureManagedPostgres(options);
    expect(recovered.password).toBe(conn.password);
    expect(await withClient({ pg: recovered }, async (c) => (await c.query("SELECT 1 AS ok")).rows[0])).toEqual({ ok: 1 });
    conn = recovered;
  });

  it("creates, sizes, copies (with a session open on the source) and drops databases", async () => {
    const src = `mpg_src_${tag}`;
    const dst = `mpg_dst_${tag}`;
    await withClient({ pg: conn }, (c) => c.query(`CREATE DATABASE "${src}"`));
    await queryDatabase({ pg: conn, database: src, sql: "CREATE TABLE t (v int); INSERT INTO t VALUES (42)" });
    expect(await listDatabases({ pg: conn })).toContain(src);
    expect(await databaseSize({ pg: conn, name: src })).toBeGreaterThan(1_000_000);

    await withClient({ pg: conn, database: src }, async () => {
      // A client still connected to the source (a running Odoo): the copy must close it.
      await copyDatabase({ pg: conn, source: src, target: dst });
    }).catch(() => undefined);
    expect(await queryDatabase({ pg: conn, database: dst, sql: "SELECT v FROM t" })).toEqual([{ v: 42 }]);
    const conflict = await copyDatabase({ pg: conn, source: src, target: dst }).catch((e: unknown) => e);
    expect(isDomainError(conflict, "conflict")).toBe(true);

    await withClient({ pg: conn, database: dst }, async () => {
      await dropDatabase({ pg: conn, name: dst });
    }).catch(() => undefined);
    expect(await databaseExists({ pg: conn, name: dst })).toBe(false);
    await dropDatabase({ pg: conn, name: dst });
    await dropDatabase({ pg: conn, name: src });
    expect(await listDatabases({ pg: conn })).not.toContain(src);
    const missing = await databaseSize({ pg: conn, name: src }).catch((e: unknown) => e);
    expect(isDomainError(missing, "not_found")).toBe(true);
    await expect(dropDatabase({ pg: conn, name: "postgres" })).rejects.toThrow(/invalid/);
  });
});
