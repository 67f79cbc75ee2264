// The PostgreSQL server holding the Odoo databases (PRODUCT.md §4): a container the platform
// starts and watches, separate from the control-plane database. Odoo refuses the `postgres` role,
// so builds connect with a dedicated LOGIN CREATEDB role created by the image's entrypoint.
//
// Password decision: generated once and kept in the state folder (`$SLIPWAY_HOME/odoo-postgres/
// role.json`, mode 0600), not encrypted with SLIPWAY_ENCRYPTION_KEY: it must also live in the
// container's environment and in every Odoo container's environment, readable by whoever holds the
// Docker socket, so encrypting the file would protect nothing more. Losing the file is recoverable:
// ensure() resets the role's password through the superuser's local socket inside the container.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { DomainError } from "@slipway/domain";
import {
  containerIp,
  ensureContainer,
  ensureNetwork,
  ensureVolume,
  execCommand,
  inspectContainer,
  type DockerEngine,
} from "@slipway/docker";

export const MANAGED_PG_DEFAULTS = {
  containerName: "slipway-postgres",
  volumeName: "slipway-postgres-data",
  platformNetwork: "slipway-platform",
  buildsNetwork: "slipway-builds",
  role: "odoo",
} as const;

/** How to reach the server: from the worker (host) and from Odoo containers on the builds network. */
export interface ManagedPostgres {
  containerName: string;
  /** Container IP on the platform network: what the worker (on the host) connects to. */
  host: string;
  port: number;
  user: string;
  password: string;
  /** Host name Odoo containers use (the container name, resolved on the builds network). */
  hostForBuilds: string;
  buildsNetwork: string;
}

export interface EnsureManagedPostgresOptions {
  docker: DockerEngine;
  /** SLIPWAY_ODOO_PG_IMAGE */
  image: string;
  /** SLIPWAY_HOME: where the role password is kept. */
  home: string;
  containerName?: string;
  volumeName?: string;
  platformNetwork?: string;
  buildsNetwork?: string;
  role?: string;
  /** Extra labels (tests mark their resources). */
  labels?: Record<string, string>;
  readyTimeoutMs?: number;
}

function readOrCreatePassword(home: string, containerName: string, role: string): string {
  const dir = join(home, "odoo-postgres");
  const file = join(dir, containerName === MANAGED_PG_DEFAULTS.containerName ? "role.json" : `${containerName}.role.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { role: string; password: string };
    if (saved.role === role && saved.password) return saved.password;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString("base64url");
  writeFileSync(file, JSON.stringify({ role, password }) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

/** Connects to the maintenance database; returns null when the password is refused. */
async function tryConnect(conn: ManagedPostgres): Promise<"ok" | "auth" | "down"> {
  const client = new pg.Client({ ...connParams(conn, "postgres"), connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return "ok";
  } catch (error) {
    // 28P01: invalid password; 28000: no pg_hba entry / role.
    const code = (error as { code?: string }).code;
    return code === "28P01" || code === "28000" ? "auth" : "down";
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function connParams(conn: ManagedPostgres, database: string): pg.ClientConfig {
  return { host: conn.host, port: conn.port, user: conn.user, password: conn.password, database };
}

/** Resets the role's password with the superuser over the container's local socket (peer auth). */
async function resetRolePassword(docker: DockerEngine, container: string, role: string, password: string): Promise<void> {
  const quotedRole = `"${role.replace(/"/g, '""')}"`;
  const quotedPw = `'${password.replace(/'/g, "''")}'`;
  const res = await execCommand({
    docker,
    id: container,
    user: "postgres",
    cmd: ["psql", "-h", "/run/postgresql", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
    // Through stdin so the password never appears in a process list.
    stdin: `ALTER ROLE ${quotedRole} WITH LOGIN CREATEDB PASSWORD ${quotedPw};\n`,
    timeoutMs: 30_000,
  });
  if (res.exitCode !== 0) throw new DomainError("upstream_failed", `could not reset the Odoo PostgreSQL role password: ${res.stderr.trim()}`);
}

/**
 * Starts (or reuses) the managed server and waits until the role can log in. Idempotent: networks,
 * volume, container and password are all reused by a second call.
 */
export async function ensureManagedPostgres(options: EnsureManagedPostgresOptions): Promise<ManagedPostgres> {
  const { docker } = options;
  const containerName = options.containerName ?? MANAGED_PG_DEFAULTS.containerName;
  const volumeName = options.volumeName ?? MANAGED_PG_DEFAULTS.volumeName;
  const platformNetwork = options.platformNetwork ?? MANAGED_PG_DEFAULTS.platformNetwork;
  const buildsNetwork = options.buildsNetwork ?? MANAGED_PG_DEFAULTS.buildsNetwork;
  const role = options.role ?? MANAGED_PG_DEFAULTS.role;
  const extra = options.labels ?? {};
  // The running server's own environment is the source of truth: several processes (or state
  // folders) driving one engine must agree on the password instead of resetting each other's.
  const existing = await inspectContainer({ docker, id: containerName });
  const password = existing?.env.POSTGRES_ROLE_PASSWORD || readOrCreatePassword(options.home, containerName, role);

  await ensureNetwork({ docker, name: platformNetwork, labels: { ...extra, role: "platform-network" } });
  // Builds have no egress: Odoo reaches PostgreSQL and the mail catcher, nothing else.
  await ensureNetwork({ docker, name: buildsNetwork, internal: true, labels: { ...extra, role: "builds-network" } });
  await ensureVolume({ docker, name: volumeName, labels: { ...extra, role: "odoo-postgres-data" } });
  const info = await ensureContainer({
    docker,
    spec: {
      name: containerName,
      image: options.image,
      labels: { ...extra, role: "odoo-postgres" },
      env: { POSTGRES_ROLE: role, POSTGRES_ROLE_PASSWORD: password },
      mounts: [{ type: "volume", source: volumeName, target: "/var/lib/postgresql/data" }],
      network: platformNetwork,
      extraNetworks: [buildsNetwork],
      restart: "unless-stopped",
    },
  });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let resetDone = false;
  for (;;) {
    const ip = await containerIp({ docker, container: info.id, network: platformNetwork });
    if (ip) {
      const conn: ManagedPostgres = { containerName, host: ip, port: 5432, user: role, password, hostForBuilds: containerName, buildsNetwork };
      const state = await tryConnect(conn);
      if (state === "ok") return conn;
      if (state === "auth" && !resetDone) {
        await resetRolePassword(docker, info.id, role, password);
        resetDone = true;
        continue;
      }
    }
    const now = await inspectContainer({ docker, id: info.id });
    if (!now?.running) throw new DomainError("upstream_failed", `the Odoo PostgreSQL container ${containerName} stopped (exit ${now?.exitCode ?? "?"})`);
    if (Date.now() > deadline) throw new DomainError("upstream_failed", `the Odoo PostgreSQL server ${containerName} was not ready in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
