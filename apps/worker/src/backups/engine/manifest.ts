import type pg from "pg";
import type { BackupKind } from "@slipway/domain";
import { ident } from "../../postgres/sql";

/** What a backup holds, stored as `manifest.json` beside the dump and in Backup.manifest. */
export interface BackupManifest {
  format: "slipway-backup/1";
  backupId: string;
  kind: BackupKind;
  createdAt: string;
  database: string;
  odoo: { version: string | null; modules: Record<string, string> };
  postgres: { versionNum: number; collate: string; ctype: string };
  /** Exact row count of every table of the public schema, in the dump's snapshot. */
  tables: Record<string, number>;
  /**
   * The custom-format dump: its size and sha256. With `chunks` (ADR 0008) it is a deduplicated
   * blob, uncompressed custom format cut into compressed chunks (`chunks.key` lists them) and `key`
   * is only its name; without, `key` is the file itself (backups made before).
   */
  dump: {
    key: string;
    size: number;
    sha256: string;
    chunks?: { key: string; sha256: string; count: number; newCount: number; newStoredBytes: number };
  };
  filestore: {
    indexKey: string;
    indexSha256: string;
    files: number;
    bytes: number;
    /** Files this backup added to the store (the others were shared with earlier backups). */
    newFiles: number;
    newBytes: number;
  };
  /** How long the snapshot + dump + row counts and the filestore took. */
  durations?: { dumpMs: number; filestoreMs: number };
  /** Where `tables` came from: the dump's own data (newlines of each COPY) or count(*) queries. */
  rowCounts?: "dump" | "sql";
}

/**
 * A Backup row's stored manifest (a JSON column) as the engine wrote it. Refuses a document that is
 * not one of ours rather than reading fields that are not there.
 */
export function storedManifest(json: unknown): BackupManifest {
  if (
    !json ||
    typeof json !== "object" ||
    !("format" in json) ||
    json.format !== "slipway-backup/1" ||
    !("filestore" in json) ||
    !("dump" in json)
  ) {
    throw new Error("the backup's stored manifest is not a Slipway backup manifest");
  }
  return json as BackupManifest;
}

export interface DatabaseFacts {
  odooVersion: string | null;
  modules: Record<string, string>;
  postgres: BackupManifest["postgres"];
  tables: Record<string, number>;
}

/** `17.0.1.3` → `17.0`, `saas~17.2.1.0` → `saas~17.2` (Odoo: `<series>.<module version x.y>`). */
export function odooSeriesOf(baseVersion: string | null | undefined): string | null {
  if (!baseVersion) return null;
  const parts = baseVersion.split(".");
  return parts.length > 2 ? parts.slice(0, -2).join(".") : baseVersion;
}

/** Major version number: `17.0` → 17, `saas~17.2` → 17, `16.0+e` → 16; null when none. */
export function odooMajorOf(version: string | null | undefined): number | null {
  const match = /(\d+)/.exec(version ?? "");
  return match ? Number(match[1]) : null;
}

/** Exact row count of every table of the public schema (one count(*) each, in the client's transaction). */
export async function countTableRows(client: pg.Client): Promise<Record<string, number>> {
  const tables: Record<string, number> = {};
  for (const name of await listPublicTables(client)) {
    const count = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.${ident(name)}`);
    tables[name] = Number(count.rows[0]?.n ?? 0);
  }
  return tables;
}

/** Tables (relkind r) of the public schema, by name. */
export async function listPublicTables(client: pg.Client): Promise<string[]> {
  const names = await client.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  return names.rows.map((r) => r.name);
}

/**
 * Reads versions, installed modules and (unless `countRows` is false: backups read them from the
 * dump) exact row counts, in the client's current transaction.
 */
export async function readDatabaseFacts(client: pg.Client, options: { countRows?: boolean } = {}): Promise<DatabaseFacts> {
  const server = await client.query<{ num: string; collate: string; ctype: string }>(
    "SELECT current_setting('server_version_num') AS num, datcollate AS collate, datctype AS ctype FROM pg_database WHERE datname = current_database()",
  );
  const modules: Record<string, string> = {};
  let baseVersion: string | null = null;
  const hasModules = await client.query("SELECT 1 FROM pg_class WHERE relname = 'ir_module_module' AND relkind = 'r'");
  if (hasModules.rowCount === 1) {
    const rows = await client.query<{ name: string; latest_version: string | null }>(
      "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' ORDER BY name",
    );
    for (const r of rows.rows) modules[r.name] = r.latest_version ?? "";
    baseVersion = modules.base ?? null;
  }
  const tables = options.countRows === false ? {} : await countTableRows(client);
  const s = server.rows[0]!;
  return {
    odooVersion: odooSeriesOf(baseVersion),
    modules,
    postgres: { versionNum: Number(s.num), collate: s.collate, ctype: s.ctype },
    tables,
  };
}

/**
 * Odoo's `manifest.json` of a database-manager dump (odoo/service/db.py `dump_db_manifest`):
 * pg_version as Odoo computes it ("%d.%d" % divmod(server_version / 100, 100): "15.0" for 15.x).
 */
export function odooDumpManifest(manifest: Pick<BackupManifest, "database" | "odoo" | "postgres">): Record<string, unknown> {
  const version = manifest.odoo.version ?? "";
  const numbers = version
    .replace(/^saas~/, "")
    .split(".")
    .map((n) => Number.parseInt(n, 10));
  const major = numbers[0] ?? 0;
  const minor = numbers[1] ?? 0;
  const num = manifest.postgres.versionNum;
  return {
    odoo_dump: "1",
    db_name: manifest.database,
    version,
    version_info: [major, minor, 0, "final", 0, ""],
    major_version: version,
    pg_version: `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`,
    modules: manifest.odoo.modules,
  };
}
