// Module versions as Odoo handles them: the manifest version is prefixed with the series
// (`17.0` + `1.0` → `17.0.1.0`, stored in ir_module_module.latest_version) and compared with
// odoo.tools.parse_version semantics (numeric parts, trailing zeros ignored, pre-releases first).

/** Odoo's adapt_version(): prefix the series unless the version already starts with it. */
export function fullModuleVersion(series: string, version: string): string {
  if (version === series || !version.startsWith(`${series}.`)) return `${series}.${version}`;
  return version;
}

const COMPONENT = /(\d+|[a-z]+|\.|-)/;
const REPLACE: Record<string, string> = {
  pre: "c",
  preview: "c",
  "-": "final-",
  _: "final-",
  rc: "c",
  dev: "@",
  saas: "",
  "~": "",
};

function* parts(version: string): Generator<string> {
  for (let part of version.split(COMPONENT)) {
    part = REPLACE[part] ?? part;
    if (!part || part === ".") continue;
    yield /^[0-9]/.test(part) ? part.padStart(8, "0") : `*${part}`;
  }
  yield "*final"; // so that alpha/beta/candidate sort before the final release
}

/** Port of odoo.tools.parse_version: a tuple of comparable strings. */
export function parseModuleVersion(version: string): string[] {
  const result: string[] = [];
  for (const part of parts((version || "0.1").toLowerCase())) {
    if (part.startsWith("*")) {
      if (part < "*final") while (result.at(-1) === "*final-") result.pop();
      while (result.at(-1) === "00000000") result.pop();
    }
    result.push(part);
  }
  return result;
}

/** Negative when a < b, 0 when equal (e.g. `1.0` and `1.0.0`), positive when a > b. */
export function compareModuleVersions(a: string, b: string): number {
  const pa = parseModuleVersion(a);
  const pb = parseModuleVersion(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

export interface VersionUpdate {
  name: string;
  from: string;
  to: string;
}

/**
 * The Odoo.sh update rule: installed modules whose manifest version (prefixed with the series)
 * is greater than the installed latest_version. Modules not installed, or gone from the code,
 * are not listed (installing new modules is a separate decision).
 */
export function modulesToUpdateByVersion(options: {
  installed: ReadonlyMap<string, string>;
  available: ReadonlyMap<string, string>;
  series: string;
}): VersionUpdate[] {
  const updates: VersionUpdate[] = [];
  for (const [name, installedVersion] of options.installed) {
    const manifestVersion = options.available.get(name);
    if (manifestVersion === undefined) continue;
    const to = fullModuleVersion(options.series, manifestVersion);
    const from = fullModuleVersion(options.series, installedVersion);
    if (compareModuleVersions(to, from) > 0) updates.push({ name, from, to });
  }
  return updates.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
