// Which modules a staging or production build updates and installs on an existing database.
//   update (rule "manifest_version", Odoo.sh): installed modules of the repository whose manifest
//     version (prefixed with the series) is greater than ir_module_module.latest_version;
//   update (rule "checksum", module_auto_update): installed modules of the repository whose content
//     checksum differs from the one applied last (or was never recorded: safety first, like OCA's);
//   install: modules the branch would install that the database has never seen (absent from
//     ir_module_module): a module someone uninstalled on purpose stays uninstalled.
// Applied checksums live IN the Odoo database (ir_config_parameter `slipway.module_checksums`, a JSON
// object), like module_auto_update keeps them: a snapshot restore or a staging copy carries exactly
// the checksums matching its schema, with no control-plane state to keep in step.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  moduleChecksum,
  modulesToUpdateByVersion,
  type AddonsDiscovery,
  type DiscoveredModule,
  type ModuleFile,
  type VersionUpdate,
} from "@slipway/domain";
import type { ManagedPostgres } from "../postgres";
import { withClient } from "../postgres";

export const CHECKSUMS_PARAMETER = "slipway.module_checksums";

export interface ModuleState {
  state: string;
  latestVersion: string | null;
}

export interface DatabaseModules {
  modules: Map<string, ModuleState>;
  /** Codes of the active languages (for the checksum's .po rule). */
  languages: string[];
  /** Checksums recorded by the last successful update or install. */
  appliedChecksums: Record<string, string>;
}

export async function readDatabaseModules(options: { pg: ManagedPostgres; database: string }): Promise<DatabaseModules> {
  return withClient({ pg: options.pg, database: options.database }, async (c) => {
    const mods = await c.query<{ name: string; state: string; latest_version: string | null }>(
      "SELECT name, state, latest_version FROM ir_module_module",
    );
    const langs = await c
      .query<{ code: string }>("SELECT code FROM res_lang WHERE active")
      .catch(() => ({ rows: [] as { code: string }[] }));
    const param = await c.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = $1", [CHECKSUMS_PARAMETER]);
    let applied: Record<string, string>;
    try {
      applied = param.rows[0] ? (JSON.parse(param.rows[0].value) as Record<string, string>) : {};
    } catch {
      applied = {};
    }
    return {
      modules: new Map(mods.rows.map((r) => [r.name, { state: r.state, latestVersion: r.latest_version }])),
      languages: langs.rows.map((r) => r.code),
      appliedChecksums: applied,
    };
  });
}

/** Records the checksums of the repository's installed modules after a successful run. */
export async function writeAppliedChecksums(options: {
  pg: ManagedPostgres;
  database: string;
  checksums: Record<string, string>;
}): Promise<void> {
  await withClient({ pg: options.pg, database: options.database }, async (c) => {
    const value = JSON.stringify(options.checksums);
    const res = await c.query("UPDATE ir_config_parameter SET value = $2, write_date = now() at time zone 'UTC' WHERE key = $1", [
      CHECKSUMS_PARAMETER,
      value,
    ]);
    if (res.rowCount === 0) {
      await c.query(
        "INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES ($1, $2, now() at time zone 'UTC', now() at time zone 'UTC')",
        [CHECKSUMS_PARAMETER, value],
      );
    }
  });
}

async function moduleFiles(root: string, rel = ""): Promise<ModuleFile[]> {
  const out: ModuleFile[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const relative = rel ? `${rel}/${entry.name}` : entry.name;
    const full = path.join(root, relative);
    // os.walk(followlinks=False): links to folders are listed as files; links are hashed by target content.
    if (entry.isDirectory()) out.push(...(await moduleFiles(root, relative)));
    else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push({ relativePath: relative, content: await readFile(full).catch(() => new Uint8Array()) });
    }
  }
  return out;
}

/** module_auto_update checksums of the given modules of a checkout. */
export async function computeChecksums(options: {
  checkoutDir: string;
  modules: readonly DiscoveredModule[];
  excludePatterns: readonly string[];
  languages: readonly string[];
}): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const m of options.modules) {
    const files = await moduleFiles(path.join(options.checkoutDir, m.path));
    result[m.name] = moduleChecksum({ files, excludePatterns: options.excludePatterns, keepLanguages: options.languages });
  }
  return result;
}

export interface ModulePlan {
  update: string[];
  install: string[];
  versionChanges: VersionUpdate[];
  /** Checksums of the repository's modules (to record after a successful run). */
  checksums: Record<string, string>;
}

/** Pure: the plan from the database's modules, the checkout's modules and their checksums. */
export function planModuleChanges(options: {
  discovery: Pick<AddonsDiscovery, "modules">;
  database: DatabaseModules;
  series: string;
  rule: "manifest_version" | "checksum";
  checksums: Record<string, string>;
  /** The modules the branch installs (its install mode applied to the repository). */
  wanted: readonly string[];
}): ModulePlan {
  const { discovery, database } = options;
  const installed = new Map<string, string>();
  for (const m of discovery.modules) {
    const s = database.modules.get(m.name);
    if (s && s.state === "installed") installed.set(m.name, s.latestVersion ?? "0");
  }
  const available = new Map(discovery.modules.map((m) => [m.name, m.manifest.version ?? "1.0"]));
  const versionChanges = modulesToUpdateByVersion({ installed, available, series: options.series });
  const update =
    options.rule === "checksum"
      ? [...installed.keys()].filter((name) => options.checksums[name] !== database.appliedChecksums[name])
      : versionChanges.map((v) => v.name);
  const install = options.wanted.filter((name) => !database.modules.has(name));
  return { update: [...new Set(update)].sort(), install: [...new Set(install)].sort(), versionChanges, checksums: options.checksums };
}

/** Checksums to record after a successful run: the repository's modules now installed. */
export function checksumsToRecord(plan: ModulePlan, database: DatabaseModules): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, sum] of Object.entries(plan.checksums)) {
    const installedBefore = database.modules.get(name)?.state === "installed";
    if (installedBefore || plan.install.includes(name)) out[name] = sum;
  }
  return out;
}
