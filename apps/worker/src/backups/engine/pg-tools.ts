// pg_dump / pg_restore / psql run INSIDE one-off containers of the managed PostgreSQL image, on
// the builds network, as the Odoo role: never on the host, never as superuser. Data flows through
// the containers' stdin/stdout as streams.
import type { Readable, Writable } from "node:stream";
import { DomainError } from "@slipway/domain";
import { runStreaming, runStreamingViaFifos, type ContainerSpec, type DockerEngine, type StreamRunResult } from "@slipway/docker";
import type { ManagedPostgres } from "../../odoo/managed-postgres";
import { assertDatabaseName, withClient } from "../../odoo/odoo-databases";

export interface ToolsContext {
  docker: DockerEngine;
  pg: ManagedPostgres;
  /** SLIPWAY_ODOO_PG_IMAGE: has pg_dump, pg_restore, psql, tar. */
  image: string;
  /** `org.slipway.*` labels of the helper containers (`role` is set here). */
  labels: Record<string, string>;
  signal?: AbortSignal;
  /**
   * A folder on the Docker host for named pipes: stdin/stdout then bypass the engine's attach
   * connection (a few tens of MB/s) and run at disk speed. Unset: streams go through the attach.
   */
  ioDir?: string;
}

/** Runs a helper container with streamed stdin/stdout, through pipes when the context has an ioDir. */
export function streamContainer(ctx: ToolsContext, options: { spec: ContainerSpec; stdin?: Readable; stdout?: Writable }): Promise<StreamRunResult> {
  const common = { docker: ctx.docker, spec: options.spec, stdin: options.stdin, stdout: options.stdout, signal: ctx.signal };
  return ctx.ioDir ? runStreamingViaFifos({ ...common, ioDir: ctx.ioDir }) : runStreaming(common);
}

function toolSpec(ctx: ToolsContext, role: string, cmd: string[]): ContainerSpec {
  return {
    image: ctx.image,
    entrypoint: [cmd[0]!],
    cmd: cmd.slice(1),
    env: { PGHOST: ctx.pg.hostForBuilds, PGPORT: String(ctx.pg.port), PGUSER: ctx.pg.user, PGPASSWORD: ctx.pg.password, PGAPPNAME: `slipway-${role}` },
    network: ctx.pg.buildsNetwork,
    labels: { ...ctx.labels, role },
  };
}

function failIfNonZero(what: string, run: StreamRunResult): StreamRunResult {
  if (run.exitCode !== 0) {
    throw new DomainError("upstream_failed", `${what} failed (exit ${run.exitCode}): ${run.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  }
  return run;
}

/** `pg_dump -Fc` of `database` to `out`; with `snapshot`, the dump sees exactly that snapshot. */
export async function pgDumpCustom(options: { ctx: ToolsContext; database: string; out: Writable; snapshot?: string }): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--dbname", options.database];
  if (options.snapshot) args.push(`--snapshot=${options.snapshot}`);
  const run = await streamContainer(options.ctx, { spec: toolSpec(options.ctx, "backup-pg-dump", args), stdout: options.out });
  return failIfNonZero(`pg_dump of ${options.database}`, run);
}

/**
 * Loads a custom-format dump (stdin) into an existing empty database. `strict` stops at the first
 * error (our own backups); imports follow Odoo's database manager and tolerate statements a
 * non-superuser cannot run (extension comments …), the result being checked afterwards.
 */
export async function pgRestoreCustom(options: { ctx: ToolsContext; database: string; input: Readable; strict: boolean }): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const args = ["pg_restore", "--no-owner", "--no-privileges", "--dbname", options.database];
  if (options.strict) args.push("--exit-on-error", "--single-transaction");
  const run = await streamContainer(options.ctx, { spec: toolSpec(options.ctx, "backup-pg-restore", args), stdin: options.input });
  return options.strict ? failIfNonZero(`pg_restore into ${options.database}`, run) : run;
}

/** Plain SQL (what Odoo's database manager puts in dump.sql) from a custom-format dump. */
export async function pgCustomToPlain(options: { ctx: ToolsContext; input: Readable; out: Writable }): Promise<StreamRunResult> {
  const args = ["pg_restore", "--no-owner", "--no-privileges", "--file=-"];
  const run = await streamContainer(options.ctx, { spec: toolSpec(options.ctx, "backup-pg-plain", args), stdin: options.input, stdout: options.out });
  return failIfNonZero("pg_restore to plain SQL", run);
}

/** Runs a plain SQL dump (stdin) with psql, like Odoo's restore: errors reported, not fatal. */
export async function psqlLoad(options: { ctx: ToolsContext; database: string; input: Readable }): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const args = ["psql", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=0", "--dbname", options.database, "--file=-"];
  return streamContainer(options.ctx, { spec: toolSpec(options.ctx, "backup-psql", args), stdin: options.input, stdout: undefined });
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** An empty UTF-8 database owned by the role, with the given collation (Odoo uses C by default). */
export async function createEmptyDatabase(options: { pg: ManagedPostgres; name: string; collate?: string; ctype?: string }): Promise<void> {
  assertDatabaseName(options.name);
  const collate = options.collate ?? "C";
  const ctype = options.ctype ?? collate;
  await withClient({ pg: options.pg }, async (c) => {
    await c.query(
      `CREATE DATABASE ${ident(options.name)} OWNER ${ident(options.pg.user)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE ${literal(collate)} LC_CTYPE ${literal(ctype)}`,
    );
  });
}

// Only the role's own sessions: an autovacuum worker (after a large restore) or a superuser
// session cannot be terminated by the role, and asking fails the whole statement.
const OWN_SESSIONS = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND usename = current_user";

/**
 * Drops a database (missing is fine) after closing the role's sessions. Not WITH (FORCE): that
 * fails when an autovacuum worker (busy after a large restore) is connected, while a plain DROP
 * cancels autovacuum by itself; retried while a session of ours reconnects.
 */
export async function dropDatabaseIfExists(options: { pg: ManagedPostgres; name: string }): Promise<void> {
  assertDatabaseName(options.name);
  await withClient({ pg: options.pg }, async (c) => {
    for (let attempt = 1; ; attempt++) {
      await c.query(OWN_SESSIONS, [options.name]);
      try {
        await c.query(`DROP DATABASE IF EXISTS ${ident(options.name)}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });
}

/** Renames a database after closing its sessions (retried while a client reconnects). */
export async function renameDatabase(options: { pg: ManagedPostgres; from: string; to: string }): Promise<void> {
  assertDatabaseName(options.from);
  assertDatabaseName(options.to);
  await withClient({ pg: options.pg }, async (c) => {
    for (let attempt = 1; ; attempt++) {
      await c.query(OWN_SESSIONS, [options.from]);
      try {
        await c.query(`ALTER DATABASE ${ident(options.from)} RENAME TO ${ident(options.to)}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code === "55006" && attempt < 10) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw new DomainError("upstream_failed", `rename of database ${options.from} to ${options.to} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  });
}
