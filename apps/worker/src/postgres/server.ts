// The PostgreSQL server holding the Odoo databases (docs/product/containers-and-isolation.md): a container the platform starts
// and watches, separate from the control-plane database (ADR 0005 for the access model).
//
// Secrets: the administration role's password and the secret database-role passwords are derived
// from are generated once, kept in the state folder (`$SLIPWAY_HOME/odoo-postgres/secrets.json`,
// 0600) and in the server container's environment — the running container is the source of truth,
// so several processes (or state folders) driving one engine agree instead of resetting each other.
// Both are readable by whoever holds the Docker socket; neither ever enters a build container.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { odooPostgresDir } from "@slipway/config";
import { DomainError } from "@slipway/domain";
import {
  containerIp,
  ensureContainer,
  ensureNetwork,
  ensureVolume,
  execCommand,
  inspectContainer,
  networkSubnet,
  removeContainer,
  type DockerEngine,
} from "@slipway/docker";
import { renderHba } from "./hba";
import { ADMIN_ROLE, REPLICATION_ROLE, rolePassword } from "./roles";
import { ident, literal } from "./sql";

export const MANAGED_PG_DEFAULTS = {
  containerName: "slipway-postgres",
  volumeName: "slipway-postgres-data",
  platformNetwork: "slipway-platform",
  toolsNetwork: "slipway-tools",
} as const;

/** Bridge interface of the tools network: matched by the host firewall's `slw+` rule (ADR 0005). */
export const TOOLS_BRIDGE = "slw-tools";

/** How the worker reaches the server, and how containers do. */
export interface ManagedPostgres {
  containerName: string;
  /** Container IP on the platform network: what the worker (on the host) connects to. */
  host: string;
  port: number;
  /** The administration role: only the worker uses it, only from the platform network. */
  admin: { user: string; password: string };
  /** Database-role passwords are derived from it (roles.ts). */
  roleSecret: string;
  /** Host name containers use (the container name, resolved on every network it joins). */
  hostForBuilds: string;
  platformNetwork: string;
  /** Internal network of the platform's tools containers (pg_dump, pg_restore, psql). */
  toolsNetwork: string;
}

export interface EnsureManagedPostgresOptions {
  docker: DockerEngine;
  /** SLIPWAY_ODOO_PG_IMAGE */
  image: string;
  /** SLIPWAY_HOME: where the secrets are kept. */
  home: string;
  containerName?: string;
  volumeName?: string;
  platformNetwork?: string;
  toolsNetwork?: string;
  /** Extra labels (tests mark their resources). */
  labels?: Record<string, string>;
  readyTimeoutMs?: number;
}

interface Secrets {
  adminPassword: string;
  roleSecret: string;
}

const ENV_ADMIN = "SLIPWAY_ADMIN_PASSWORD";
const ENV_SECRET = "SLIPWAY_ROLE_SECRET";

function readOrCreateSecrets(home: string, containerName: string): Secrets {
  const dir = odooPostgresDir(home);
  const file = join(dir, containerName === MANAGED_PG_DEFAULTS.containerName ? "secrets.json" : `${containerName}.secrets.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Partial<Secrets>;
    if (saved.adminPassword && saved.roleSecret) return { adminPassword: saved.adminPassword, roleSecret: saved.roleSecret };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secrets = { adminPassword: randomBytes(24).toString("base64url"), roleSecret: randomBytes(32).toString("base64url") };
  writeFileSync(file, JSON.stringify(secrets) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

async function superuserSql(docker: DockerEngine, container: string, sql: string): Promise<void> {
  const res = await execCommand({
    docker,
    id: container,
    user: "postgres",
    cmd: ["psql", "-h", "/run/postgresql", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
    // Through stdin so passwords never appear in a process list.
    stdin: sql,
    timeoutMs: 30_000,
  });
  if (res.exitCode !== 0) throw new DomainError("upstream_failed", `the Odoo PostgreSQL server refused its set-up: ${res.stderr.trim()}`);
}

/**
 * The administration role, the server-wide grants and pg_hba.conf, applied as the superuser over
 * the container's local socket (idempotent; run at every start, so an older cluster is brought to
 * the current model too).
 */
async function applyAccessModel(docker: DockerEngine, container: string, secrets: Secrets, platformSubnet: string): Promise<void> {
  const hba = renderHba({ platformSubnet });
  const write = await execCommand({
    docker,
    id: container,
    user: "postgres",
    cmd: ["sh", "-c", 'cat > "$PGDATA/pg_hba.conf.new" && mv "$PGDATA/pg_hba.conf.new" "$PGDATA/pg_hba.conf"'],
    stdin: hba,
    timeoutMs: 30_000,
  });
  if (write.exitCode !== 0) throw new DomainError("upstream_failed", `could not write pg_hba.conf: ${write.stderr.trim()}`);
  const admin = ident(ADMIN_ROLE);
  await superuserSql(
    docker,
    container,
    [
      `SELECT 'CREATE ROLE ${ADMIN_ROLE}' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ADMIN_ROLE}') \\gexec`,
      `ALTER ROLE ${admin} WITH LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${literal(secrets.adminPassword)};`,
      // Closing the sessions of a database before dropping or copying it (non-superuser backends only).
      `GRANT pg_signal_backend TO ${admin};`,
      // The staging standby (ADR 0009): streams WAL, reads nothing (pg_hba: replication connections only).
      `SELECT 'CREATE ROLE ${REPLICATION_ROLE}' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${REPLICATION_ROLE}') \\gexec`,
      `ALTER ROLE ${ident(REPLICATION_ROLE)} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${literal(rolePassword({ roleSecret: secrets.roleSecret, hostForBuilds: "", port: 0 }, REPLICATION_ROLE))};`,
      // The maintenance database: everyone may connect (Odoo looks its database up there) and nothing more.
      "REVOKE TEMPORARY ON DATABASE postgres FROM PUBLIC;",
      "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
      "REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;",
      // Clusters made before per-database roles: their single shared role `odoo` loses its rights
      // to create databases; the administration role may still drop what it owns.
      "SELECT 'ALTER ROLE odoo NOCREATEDB NOLOGIN' WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo') \\gexec",
      `SELECT 'GRANT odoo TO ${ADMIN_ROLE}' WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo') \\gexec`,
      "SELECT pg_reload_conf();",
      "",
    ].join("\n"),
  );
}

async function tryConnect(conn: ManagedPostgres): Promise<"ok" | "auth" | "down"> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.admin.user,
    password: conn.admin.password,
    database: "postgres",
    connectionTimeoutMillis: 2_000,
  });
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

/**
 * Starts (or reuses) the managed server, applies the access model and waits until the
 * administration role can log in. Idempotent: networks, volume, container and secrets are reused.
 */
export async function ensureManagedPostgres(options: EnsureManagedPostgresOptions): Promise<ManagedPostgres> {
  const { docker } = options;
  const containerName = options.containerName ?? MANAGED_PG_DEFAULTS.containerName;
  const volumeName = options.volumeName ?? MANAGED_PG_DEFAULTS.volumeName;
  const platformNetwork = options.platformNetwork ?? MANAGED_PG_DEFAULTS.platformNetwork;
  const toolsNetwork = options.toolsNetwork ?? MANAGED_PG_DEFAULTS.toolsNetwork;
  const extra = options.labels ?? {};
  let existing = await inspectContainer({ docker, id: containerName });
  // A server created before per-database roles lacks the secrets: recreated (the data volume stays).
  if (existing && !(existing.env[ENV_ADMIN] && existing.env[ENV_SECRET])) {
    await removeContainer({ docker, id: existing.id, force: true });
    existing = null;
  }
  const secrets: Secrets = existing
    ? { adminPassword: existing.env[ENV_ADMIN]!, roleSecret: existing.env[ENV_SECRET]! }
    : readOrCreateSecrets(options.home, containerName);

  await ensureNetwork({ docker, name: platformNetwork, labels: { ...extra, role: "platform-network" } });
  // Tools containers reach the server and nothing else: no egress, no builds, no host services.
  await ensureNetwork({
    docker,
    name: toolsNetwork,
    internal: true,
    bridgeName: toolsNetwork === MANAGED_PG_DEFAULTS.toolsNetwork ? TOOLS_BRIDGE : undefined,
    labels: { ...extra, role: "tools-network" },
  });
  await ensureVolume({ docker, name: volumeName, labels: { ...extra, role: "odoo-postgres-data" } });
  const info = await ensureContainer({
    docker,
    spec: {
      name: containerName,
      image: options.image,
      labels: { ...extra, role: "odoo-postgres" },
      env: { [ENV_ADMIN]: secrets.adminPassword, [ENV_SECRET]: secrets.roleSecret },
      mounts: [{ type: "volume", source: volumeName, target: "/var/lib/postgresql/data" }],
      network: platformNetwork,
      extraNetworks: [toolsNetwork],
      restart: "unless-stopped",
      security: { capDrop: ["ALL"], noNewPrivileges: true },
    },
  });
  const platformSubnet = await networkSubnet({ docker, name: platformNetwork });
  if (!platformSubnet) throw new DomainError("upstream_failed", `the platform network ${platformNetwork} has no IPv4 subnet`);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let applied = false;
  for (;;) {
    const ip = await containerIp({ docker, container: info.id, network: platformNetwork });
    const ready = ip
      ? (
          await execCommand({
            docker,
            id: info.id,
            user: "postgres",
            cmd: ["pg_isready", "-q", "-h", "/run/postgresql"],
            timeoutMs: 10_000,
          }).catch(() => null)
        )?.exitCode === 0
      : false;
    if (ip && ready) {
      if (!applied) {
        await applyAccessModel(docker, info.id, secrets, platformSubnet);
        applied = true;
      }
      const conn: ManagedPostgres = {
        containerName,
        host: ip,
        port: 5432,
        admin: { user: ADMIN_ROLE, password: secrets.adminPassword },
        roleSecret: secrets.roleSecret,
        hostForBuilds: containerName,
        platformNetwork,
        toolsNetwork,
      };
      if ((await tryConnect(conn)) === "ok") return conn;
    }
    const now = await inspectContainer({ docker, id: info.id });
    if (!now?.running)
      throw new DomainError("upstream_failed", `the Odoo PostgreSQL container ${containerName} stopped (exit ${now?.exitCode ?? "?"})`);
    if (Date.now() > deadline)
      throw new DomainError("upstream_failed", `the Odoo PostgreSQL server ${containerName} was not ready in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
