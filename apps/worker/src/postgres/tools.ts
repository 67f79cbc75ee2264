// pg_dump / pg_restore / psql run INSIDE one-off containers of the platform's PostgreSQL image (never
// a project's image), on the tools network (the server and nothing else) or no network at all, with
// no capability, each as the role of the one database it touches: never on the host, never as the
// administration role or a superuser (ADR 0005). Data flows through stdin/stdout as streams.
import { randomBytes } from "node:crypto";
import { Transform, type Readable, type TransformCallback, type Writable } from "node:stream";
import { DomainError } from "@slipway/domain";
import {
  BUILD_SECURITY,
  runStreaming,
  runStreamingViaFifos,
  type ContainerSpec,
  type DockerEngine,
  type StreamRunResult,
} from "@slipway/docker";
import { assertDatabaseName } from "./databases";
import { databaseCredentials } from "./roles";
import type { ManagedPostgres } from "./server";

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
export function streamContainer(
  ctx: ToolsContext,
  options: { spec: ContainerSpec; stdin?: Readable; stdout?: Writable },
): Promise<StreamRunResult> {
  const common = { docker: ctx.docker, spec: options.spec, stdin: options.stdin, stdout: options.stdout, signal: ctx.signal };
  return ctx.ioDir ? runStreamingViaFifos({ ...common, ioDir: ctx.ioDir }) : runStreaming(common);
}

/** A tools container logged in as `database`'s own role; `database` null: no network at all. */
function toolSpec(ctx: ToolsContext, role: string, cmd: string[], database: string | null): ContainerSpec {
  const creds = database ? databaseCredentials(ctx.pg, database) : null;
  return {
    image: ctx.image,
    entrypoint: [cmd[0]!],
    cmd: cmd.slice(1),
    env: creds
      ? { PGHOST: creds.host, PGPORT: String(creds.port), PGUSER: creds.user, PGPASSWORD: creds.password, PGAPPNAME: `slipway-${role}` }
      : {},
    network: creds ? ctx.pg.toolsNetwork : "none",
    user: "postgres",
    security: BUILD_SECURITY,
    labels: { ...ctx.labels, role },
  };
}

function failIfNonZero(what: string, run: StreamRunResult): StreamRunResult {
  if (run.exitCode !== 0) {
    throw new DomainError(
      "upstream_failed",
      `${what} failed (exit ${run.exitCode}): ${run.stderr.trim().split("\n").slice(-5).join(" | ")}`,
    );
  }
  return run;
}

/** `pg_dump -Fc` of `database` to `out`; with `snapshot`, the dump sees exactly that snapshot. */
export async function pgDumpCustom(options: {
  ctx: ToolsContext;
  database: string;
  out: Writable;
  snapshot?: string;
  /** pg_dump's --compress level; 0 for the deduplicated store (it compresses chunks itself). */
  compress?: number;
}): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--dbname", options.database];
  if (options.snapshot) args.push(`--snapshot=${options.snapshot}`);
  if (options.compress !== undefined) args.push(`--compress=${Math.trunc(options.compress)}`);
  const run = await streamContainer(options.ctx, {
    spec: toolSpec(options.ctx, "backup-pg-dump", args, options.database),
    stdout: options.out,
  });
  return failIfNonZero(`pg_dump of ${options.database}`, run);
}

/**
 * Loads a custom-format dump (stdin) into an existing empty database. `strict` stops at the first
 * error (our own backups); imports follow Odoo's database manager and tolerate statements a
 * non-superuser cannot run (extension comments …), the result being checked afterwards.
 */
export async function pgRestoreCustom(options: {
  ctx: ToolsContext;
  database: string;
  input: Readable;
  strict: boolean;
}): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const args = ["pg_restore", "--no-owner", "--no-privileges", "--dbname", options.database];
  if (options.strict) args.push("--exit-on-error", "--single-transaction");
  const run = await streamContainer(options.ctx, {
    spec: toolSpec(options.ctx, "backup-pg-restore", args, options.database),
    stdin: options.input,
  });
  return options.strict ? failIfNonZero(`pg_restore into ${options.database}`, run) : run;
}

/** Plain SQL (what Odoo's database manager puts in dump.sql) from a custom-format dump. */
export async function pgCustomToPlain(options: { ctx: ToolsContext; input: Readable; out: Writable }): Promise<StreamRunResult> {
  const args = ["pg_restore", "--no-owner", "--no-privileges", "--file=-"];
  const run = await streamContainer(options.ctx, {
    spec: toolSpec(options.ctx, "backup-pg-plain", args, null),
    stdin: options.input,
    stdout: options.out,
  });
  return failIfNonZero("pg_restore to plain SQL", run);
}

/**
 * Runs an uploaded plain SQL dump (stdin) with psql into `database` (a scratch database: its role
 * can reach nothing else), stopping at the first error. The file may hold SQL and COPY data only:
 * psql meta-commands (`\connect other_db`, `\! cmd`, `\copy … to file`) are refused — a line
 * filter rejects them outside COPY data, and psql itself runs the whole stream restricted
 * (`\restrict` with a key the file cannot know), which also catches a backslash hidden mid-line.
 */
export async function psqlLoad(options: { ctx: ToolsContext; database: string; input: Readable }): Promise<StreamRunResult> {
  assertDatabaseName(options.database);
  const key = randomBytes(16).toString("hex");
  const filtered = options.input.pipe(new PlainSqlGuard(key));
  const args = [
    "psql",
    "--quiet",
    "--no-psqlrc",
    "--set=ON_ERROR_STOP=1",
    "--single-transaction",
    "--dbname",
    options.database,
    "--file=-",
  ];
  const run = streamContainer(options.ctx, {
    spec: toolSpec(options.ctx, "backup-psql", args, options.database),
    stdin: filtered,
    stdout: undefined,
  });
  const refused = new Promise<never>((_, reject) => filtered.on("error", reject));
  return Promise.race([run, refused]);
}

/**
 * Passes a plain SQL dump through, refusing psql meta-commands outside COPY data. pg_dump's own
 * `\restrict`/`\unrestrict` lines (PostgreSQL ≥ 15.14) are dropped; the stream starts with our own
 * `\restrict <key>`, so psql refuses every other meta-command whatever this filter missed.
 */
export class PlainSqlGuard extends Transform {
  private rest = "";
  private inCopy = false;
  private line = 0;
  constructor(private readonly key: string) {
    super();
    this.push(`\\restrict ${key}\n`);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + chunk.toString("utf8");
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    try {
      this.push(
        lines
          .map((l) => this.check(l))
          .filter((l) => l !== null)
          .map((l) => `${l}\n`)
          .join(""),
      );
      done();
    } catch (error) {
      done(error as Error);
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      const last = this.rest ? this.check(this.rest) : null;
      this.push(`${last ?? ""}\n\\unrestrict ${this.key}\n`);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
  private check(line: string): string | null {
    this.line++;
    if (this.inCopy) {
      if (line === "\\.") this.inCopy = false;
      return line;
    }
    const trimmed = line.trimStart();
    if (/^\\(restrict|unrestrict)\s+\S+\s*$/.test(trimmed)) return null;
    if (trimmed.startsWith("\\")) {
      throw new DomainError(
        "invalid_input",
        `dump.sql line ${this.line}: psql meta-command refused (${JSON.stringify(trimmed.slice(0, 40))}); an import may contain SQL and COPY data only`,
      );
    }
    if (/^COPY\s.+\sFROM\s+stdin;\s*$/i.test(line)) this.inCopy = true;
    return line;
  }
}
