// Odoo command lines, built against the official image contract (ODOO-RUNTIME.md): `odoo` is the
// container command, the entrypoint appends the database connection from HOST/PORT/USER/PASSWORD.
import { posix } from "node:path";

/** Where things live inside every Odoo container (mirrors Odoo.sh). */
export const CONTAINER_PATHS = {
  checkout: "/home/odoo/src/user",
  platformAddons: "/home/odoo/src/platform",
  data: "/var/lib/odoo",
} as const;

export const HTTP_PORT = 8069;
export const GEVENT_PORT = 8072;

/**
 * `--addons-path`: the discovered addons folders (relative to the checkout root, `.` for the root
 * itself) as container paths, then the platform addons. Odoo adds its own core addons by itself.
 */
export function addonsPath(options: { addonsFolders: readonly string[]; withPlatformAddons: boolean }): string {
  const paths = options.addonsFolders.map((rel) => {
    const clean = posix.normalize(rel.replace(/\\/g, "/")).replace(/\/+$/, "");
    if (clean.startsWith("..") || posix.isAbsolute(clean)) throw new Error(`addons folder outside the checkout: ${rel}`);
    return clean === "." || clean === "" ? CONTAINER_PATHS.checkout : `${CONTAINER_PATHS.checkout}/${clean}`;
  });
  if (options.withPlatformAddons) paths.push(CONTAINER_PATHS.platformAddons);
  return [...new Set(paths)].join(",");
}

export interface CommonArgs {
  database: string;
  addonsPath: string;
}

function common(c: CommonArgs): string[] {
  const args = ["-d", c.database, "--data-dir", CONTAINER_PATHS.data];
  return c.addonsPath ? [...args, "--addons-path", c.addonsPath] : args;
}

function demo(withDemo: boolean): string[] {
  return withDemo ? [] : ["--without-demo=all"];
}

export interface TestOptions {
  enabled: boolean;
  /** Odoo `--test-tags` spec, e.g. `/my_module,-slow`. */
  tags?: string;
}

function tests(t: TestOptions | undefined): string[] {
  if (!t?.enabled) return [];
  return t.tags ? ["--test-enable", "--test-tags", t.tags] : ["--test-enable"];
}

function moduleList(modules: readonly string[]): string {
  if (modules.length === 0) throw new Error("at least one module is required");
  for (const m of modules) if (!/^[a-z0-9_]+$/i.test(m)) throw new Error(`invalid module name: ${m}`);
  return modules.join(",");
}

/** New database with base (Odoo creates the database itself when `-d` names a missing one). */
export function createDatabaseArgs(c: CommonArgs & { withDemo: boolean }): string[] {
  return ["odoo", ...common(c), "-i", "base", ...demo(c.withDemo), "--stop-after-init"];
}

export function installModulesArgs(c: CommonArgs & { modules: readonly string[]; withDemo: boolean; tests?: TestOptions }): string[] {
  return ["odoo", ...common(c), "-i", moduleList(c.modules), ...demo(c.withDemo), ...tests(c.tests), "--stop-after-init"];
}

export function updateModulesArgs(c: CommonArgs & { modules: readonly string[]; tests?: TestOptions }): string[] {
  return ["odoo", ...common(c), "-u", moduleList(c.modules), ...tests(c.tests), "--stop-after-init"];
}

/** Tests on an existing database: with `modules`, only theirs (through `-u`), else every installed module's. */
export function runTestsArgs(c: CommonArgs & { modules?: readonly string[]; tags?: string }): string[] {
  const update = c.modules && c.modules.length > 0 ? ["-u", moduleList(c.modules)] : [];
  return ["odoo", ...common(c), ...update, ...tests({ enabled: true, tags: c.tags }), "--stop-after-init"];
}

/** `odoo neutralize` (Odoo ≥ 16) takes the server options after the sub-command. */
export function neutralizeArgs(c: CommonArgs): string[] {
  return ["odoo", "neutralize", ...common(c)];
}

export interface ServeArgs extends CommonArgs {
  /** 0 = threaded mode. */
  workers: number;
  maxCronThreads: number;
  smtp?: { host: string; port: number };
  /** Extra server-wide modules (`--load`): their HTTP routes serve every database, uninstalled. */
  serverWideModules?: readonly string[];
}

export function serveArgs(c: ServeArgs): string[] {
  const escaped = c.database.replace(/[.\\^$|?*+()[\]{}]/g, "\\$&");
  return [
    "odoo",
    ...common(c),
    "--db-filter",
    `^${escaped}$`,
    "--http-port",
    String(HTTP_PORT),
    "--gevent-port",
    String(GEVENT_PORT),
    "--proxy-mode",
    "--workers",
    String(c.workers),
    "--max-cron-threads",
    String(c.maxCronThreads),
    ...(c.smtp ? ["--smtp", c.smtp.host, "--smtp-port", String(c.smtp.port)] : []),
    ...(c.serverWideModules?.length ? ["--load", ["base", "web", ...c.serverWideModules].join(",")] : []),
  ];
}
