// Database roles (ADR 0005): every Odoo database has a LOGIN role of exactly its name that owns it
// and everything in it, and may log in to it alone (pg_hba `samerole`, CONNECT revoked from
// PUBLIC). Builds, their shells and the tools containers get that role; the administration role
// `slipway_admin` (CREATEDB, CREATEROLE, member of every database role, never a superuser) stays in
// the worker and never enters a container.
//
// Passwords are derived, not stored: HMAC-SHA256(role secret, role name). The worker can give a
// container the credentials of a database at any time (a restarted worker, a shell opened days
// later) without a table of passwords; the secret lives with the server's container.
import { createHmac } from "node:crypto";
import type pg from "pg";
import { DomainError } from "@slipway/domain";
import { ident, literal, pgCode } from "./sql";

export const ADMIN_ROLE = "slipway_admin";
/** The staging standby's role (ADR 0009): REPLICATION and LOGIN, accepted from the platform network only. */
export const REPLICATION_ROLE = "slipway_replicator";

/** What a container is given to log in to one database (official image env HOST/PORT/USER/PASSWORD). */
export interface DatabaseCredentials {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface RoleSource {
  roleSecret: string;
  hostForBuilds: string;
  port: number;
}

/**
 * Hex, never base64url: the official image's entrypoint passes it as `--db_password $PASSWORD` to
 * argparse (wait-for-psql.py) and Odoo, which take a value starting with `-` for an option.
 */
export function rolePassword(pg: RoleSource, role: string): string {
  return createHmac("sha256", pg.roleSecret).update(`slipway-role:${role}`).digest("hex");
}

/** The credentials of the role owning `database` (its own name), as containers reach the server. */
export function databaseCredentials(pg: RoleSource, database: string): DatabaseCredentials {
  return { host: pg.hostForBuilds, port: pg.port, user: database, password: rolePassword(pg, database) };
}

type Client = Pick<pg.Client, "query">;

export async function roleExists(c: Client, role: string): Promise<boolean> {
  return ((await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])).rowCount ?? 0) === 1;
}

/**
 * Creates (or resets) the database role `role`: LOGIN, nothing else (no CREATEDB, CREATEROLE,
 * SUPERUSER, REPLICATION, BYPASSRLS; a member of no role — INHERIT only so that the implicit
 * pg_database_owner membership gives it its own public schema), its derived password; the
 * administration role is made a member so it can act as the owner (drop, copy, rename, dump).
 */
export async function ensureDatabaseRole(c: Client, pg: RoleSource, role: string): Promise<void> {
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${literal(rolePassword(pg, role))}`;
  if (await roleExists(c, role)) {
    await c.query(`ALTER ROLE ${ident(role)} WITH ${attributes}`);
  } else {
    try {
      await c.query(`CREATE ROLE ${ident(role)} WITH ${attributes}`);
    } catch (error) {
      // 42710: created by a concurrent call in between; reset it like an existing one.
      if (pgCode(error) !== "42710") throw error;
      await c.query(`ALTER ROLE ${ident(role)} WITH ${attributes}`);
    }
  }
  const member = await c.query(
    "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles a ON a.oid = m.member WHERE r.rolname = $1 AND a.rolname = $2",
    [role, ADMIN_ROLE],
  );
  if ((member.rowCount ?? 0) === 0) await c.query(`GRANT ${ident(role)} TO ${ident(ADMIN_ROLE)}`);
}

/** Drops a database role unless it still owns something (in any database); missing is fine. */
export async function dropDatabaseRole(c: Client, role: string): Promise<boolean> {
  if (role === ADMIN_ROLE || role === "postgres") throw new DomainError("invalid_input", `the role ${role} is not a database role`);
  try {
    await c.query(`DROP ROLE IF EXISTS ${ident(role)}`);
    return true;
  } catch (error) {
    // 2BP01: still owns objects (e.g. a production role owning its pre-update snapshot).
    if (pgCode(error) === "2BP01") return false;
    throw error;
  }
}
