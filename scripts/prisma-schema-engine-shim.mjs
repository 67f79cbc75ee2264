#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, which cannot be downloaded here
// (docs/decisions/0001-prisma-offline-migrations.md). prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY at this file. The CLI spawns it exactly like the native engine:
//   shim [--datamodels <file>]... [--datasource <json>] [...]       newline-delimited JSON-RPC on stdio
//   shim --datasource <json> cli can-connect-to-database|create-database|drop-database
//   shim --version
// and every RPC call is forwarded to the WebAssembly build of the same engine version
// (@prisma/schema-engine-wasm, pinned together with prisma), which reaches PostgreSQL through
// @prisma/adapter-pg. Three adapter-pg 7.10 defects are worked around in this process only:
// unsupported column OIDs in catalog queries, a shadow database that is not really used/dropped,
// and migration scripts split naively on ";".
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

const TEXT_OID = 25;
// "char" (18) and name (19, name[] 1003) appear in the engine's catalog queries; adapter-pg has
// no column type for some of them. Rewriting the OID before pg picks a parser reads them as text.
const OID_AS = new Map([
  [18, TEXT_OID],
  [19, TEXT_OID],
  [1003, 1009],
]);
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function addFieldsAsText(fields) {
  for (const field of fields) field.dataTypeID = OID_AS.get(field.dataTypeID) ?? field.dataTypeID;
  return addFields.call(this, fields);
};

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels") args.datamodels.push(argv[++i]);
    else if (arg === "--datasource") args.datasource = JSON.parse(argv[++i]);
    else if (arg === "cli") args.cli = argv[++i];
    else if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
  }
  return args;
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

/** pg connection settings for a Prisma URL (`?schema=` is Prisma's, not libpq's). */
function pgConfig(url, database) {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  if (database !== undefined) parsed.pathname = `/${encodeURIComponent(database)}`;
  return { connectionString: parsed.toString(), schema, database: decodeURIComponent(parsed.pathname.slice(1)) };
}

/** Runs `fn` with a client on the server's maintenance database (for CREATE/DROP DATABASE). */
async function withServerClient(url, fn) {
  const client = new pg.Client({ connectionString: pgConfig(url, "postgres").connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** adapter-pg's executeScript splits on every ";" (breaks $$ bodies, comments): send it whole. */
function runScriptsWhole(adapter) {
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script); // no parameters: simple query protocol, several statements allowed
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

/** adapter-pg's factory, with a shadow database that is really separate and really dropped. */
class ShimPgFactory extends PrismaPg {
  constructor(url) {
    const { connectionString, schema } = pgConfig(url);
    super({ connectionString }, schema ? { schema } : undefined);
    this.url = url;
  }

  async connect() {
    return runScriptsWhole(await super.connect());
  }

  // Stock version: the shadow pool inherits connectionString and so connects to the main
  // database; and it drops the database while its own pool still holds a connection.
  async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    await withServerClient(this.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    const { connectionString, schema } = pgConfig(this.url, name);
    const adapter = runScriptsWhole(await new PrismaPg({ connectionString }, schema ? { schema } : undefined).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await withServerClient(this.url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    };
    return adapter;
  }
}

// ---- one-shot commands (`cli <command>`), answered with pg directly ----

function logLine(level, fields) {
  return JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" });
}

function errorCodeOf(error) {
  if (error?.code === "3D000") return "P1003"; // database does not exist
  if (error?.code === "28P01" || error?.code === "28000") return "P1000"; // authentication failed
  if (typeof error?.code === "string" && /^E[A-Z]+/.test(error.code)) return "P1001"; // unreachable
  return "P1000";
}

async function runCliCommand(command, url) {
  if (!url) throw Object.assign(new Error("No datasource URL (set DATABASE_URL)"), { code: "EURL" });
  const { database } = pgConfig(url);
  if (command === "can-connect-to-database") {
    const client = new pg.Client({ connectionString: pgConfig(url).connectionString });
    await client.connect();
    await client.end();
  } else if (command === "create-database") {
    await withServerClient(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
  } else if (command === "drop-database") {
    await withServerClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
  } else {
    throw new Error(`Unsupported schema engine command: cli ${command}`);
  }
}

async function cliMain(args) {
  try {
    await runCliCommand(args.cli, args.datasource?.url);
    process.exit(0);
  } catch (error) {
    // The CLI skips the first stderr line and reads the error code from a logger line.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${logLine("INFO", { message: "schema-engine-shim" })}\n`);
    process.stderr.write(logLine("ERROR", { error_code: errorCodeOf(error), message }));
    process.exit(1);
  }
}

// ---- JSON-RPC server ----

async function loadWasmEngine() {
  const { WebAssembly } = globalThis; // not in the lint config's globals list
  const bgUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bindings = await import(bgUrl);
  // The package's entry imports the .wasm as an ES module, which Node 20 cannot do; instantiate it here.
  const bytes = readFileSync(new URL("schema_engine_bg.wasm", bgUrl));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

let nextOwnRequestId = 1_000_000_000; // our requests to the CLI (print); never collides with its ids

/** The engine reports JS exceptions from the adapter as "External error id#N"; fetch the original. */
function withAdapterCause(error, registry) {
  const id = /External error id#(\d+)/.exec(error?.message ?? "")?.[1];
  const cause = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  if (!cause) return error;
  const detail = cause instanceof Error ? cause.message : JSON.stringify(cause);
  return Object.assign(new Error(`${error.message}: ${detail}`), { code: cause.code });
}

function rpcError(error) {
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error);
  const data = { is_panic: false, message, meta: error?.meta ?? null, error_code: error?.error_code ?? error?.code };
  if (typeof data.error_code !== "string" || !/^P\d+$/.test(data.error_code)) delete data.error_code;
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}

function migrationTimestamp(date = new Date()) {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

function createHandlers(engine, args) {
  return {
    getDatabaseVersion: (params) => engine.version(params ?? null),
    // The wasm engine's `diff` returns the text the native engine would print through the CLI.
    diff: async (params) => {
      const { exitCode, stdout } = await engine.diff(params);
      if (stdout) send({ jsonrpc: "2.0", id: nextOwnRequestId++, method: "print", params: { content: stdout } });
      return { exitCode };
    },
    // The wasm `createMigration` wants a shadow database from an "external factory" it never
    // gets; the same script is the diff from the migrations folder (replayed in a shadow
    // database through our adapter) to the schema.
    createMigration: async (input) => {
      const { stdout } = await engine.diff({
        from: { tag: "migrations", ...input.migrationsList },
        to: { tag: "schemaDatamodel", ...input.schema },
        script: true,
        exitCode: null,
        filters: input.filters,
      });
      const empty = !stdout || stdout.trim() === "" || stdout.trim() === "-- This is an empty migration.";
      const name = input.migrationName.replace(/[^A-Za-z0-9_]+/g, "_").slice(0, 200);
      return {
        connectorType: "postgresql",
        generatedMigrationName: `${migrationTimestamp()}_${name}`,
        migrationScript: empty ? (input.draft ? "-- This is an empty migration." : null) : stdout,
        extension: "sql",
      };
    },
    createDatabase: async (params) => {
      const url = params?.datasource?.url ?? args.datasource?.url;
      await runCliCommand("create-database", url);
      return { databaseName: pgConfig(url).database };
    },
  };
}

async function rpcMain(args) {
  const bindings = await loadWasmEngine();
  const datamodels = args.datamodels.map((path) => [path, readFileSync(path, "utf8")]);
  const url = args.datasource?.url;
  if (args.datasource?.shadowDatabaseUrl) {
    process.stderr.write(`${logLine("WARN", { message: "shadowDatabaseUrl is ignored: the shim creates its own shadow database" })}\n`);
  }
  // The wasm engine connects (and probes the server) while it starts, so unlike the native one it
  // cannot run even database-free commands (`migrate diff --from-empty`) without a URL.
  let engine;
  let startError;
  let explain = (error) => error;
  if (!url) {
    startError = new Error("The schema engine shim needs a database: set DATABASE_URL (prisma.config.ts datasource.url)");
  } else {
    const bound = bindMigrationAwareSqlAdapterFactory(new ShimPgFactory(url));
    explain = (error) => withAdapterCause(error, bound.errorRegistry);
    const log = (line) => process.stderr.write(`${typeof line === "string" ? line : JSON.stringify(line)}\n`);
    const options = { datamodels: datamodels.length ? datamodels : undefined };
    engine = await bindings.SchemaEngine.new(options, log, bound).catch((error) => {
      startError = explain(error);
    });
  }
  const handlers = engine ? createHandlers(engine, args) : {};

  let queue = Promise.resolve(); // one call at a time, in arrival order, like the native engine
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line);
    if (request.method === undefined) return; // the CLI's answer to one of our print requests
    queue = queue.then(async () => {
      try {
        if (startError) throw startError; // answered per request: exiting early makes the CLI report nothing
        const handler = handlers[request.method];
        if (!handler && typeof engine[request.method] !== "function") {
          throw new Error(`Method ${request.method} is not supported by the schema engine shim`);
        }
        const result = handler ? await handler(request.params) : await engine[request.method](request.params);
        send({ jsonrpc: "2.0", id: request.id, result: result ?? {} });
      } catch (error) {
        send({ jsonrpc: "2.0", id: request.id, error: rpcError(explain(error)) });
      }
    });
  });
  lines.on("close", () => queue.then(() => process.exit(0)));
}

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  const bindings = await loadWasmEngine();
  process.stdout.write(`schema-engine-cli ${bindings.version()} (wasm shim)\n`);
} else if (args.cli) {
  await cliMain(args);
} else {
  await rpcMain(args);
}
