// __manifest__.py read as Odoo reads it (ast.literal_eval), then checked and given Odoo's
// defaults (odoo/modules/module.py _DEFAULT_MANIFEST) for the keys the platform relies on.
import { DomainError } from "../errors";
import { parsePythonLiteral, type PyValue } from "./python-literal";

export interface ModuleManifest {
  /** Human name (`name` key); the technical name when the key is missing. */
  name: string;
  /** Manifest version as written (default `1.0`); see fullModuleVersion for the stored form. */
  version: string;
  depends: string[];
  installable: boolean;
  /** false, true (when all depends are installed), or the subset of depends that triggers it. */
  autoInstall: boolean | string[];
  data: string[];
  demo: string[];
  externalDependencies: { python: string[]; bin: string[] };
  license: string | null;
  application: boolean;
  /** Every key as parsed, for anything else a caller needs. */
  raw: Record<string, PyValue>;
}

export function parseManifest(options: { content: string; path: string; moduleName?: string }): ModuleManifest {
  const { path } = options;
  const value = parsePythonLiteral({ source: options.content, file: path });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(path, "the manifest must be a dict ({ ... })");
  }
  const raw = value;
  const depends = stringList(raw, "depends", path);
  const autoInstallValue = own(raw, "auto_install") ?? false;
  let autoInstall: boolean | string[];
  if (Array.isArray(autoInstallValue)) {
    autoInstall = stringList(raw, "auto_install", path);
    const extra = autoInstall.filter((d) => !depends.includes(d));
    if (extra.length > 0) throw invalid(path, `"auto_install" lists modules that are not in "depends": ${extra.join(", ")}`);
  } else if (typeof autoInstallValue === "boolean") autoInstall = autoInstallValue;
  else throw invalid(path, `"auto_install" must be True, False or a list of module names`);

  const external = own(raw, "external_dependencies") ?? {};
  if (external === null || typeof external !== "object" || Array.isArray(external)) {
    throw invalid(path, `"external_dependencies" must be a dict`);
  }
  return {
    name: optionalString(raw, "name", path) ?? options.moduleName ?? "",
    version: optionalString(raw, "version", path) ?? "1.0",
    depends,
    installable: bool(raw, "installable", true, path),
    autoInstall,
    data: stringList(raw, "data", path),
    demo: stringList(raw, "demo", path),
    externalDependencies: {
      python: stringList(external, "python", path, "external_dependencies."),
      bin: stringList(external, "bin", path, "external_dependencies."),
    },
    license: optionalString(raw, "license", path),
    application: bool(raw, "application", false, path),
    raw,
  };
}

function invalid(path: string, message: string): DomainError {
  return new DomainError("invalid_input", `${path}: ${message}`, { details: { file: path } });
}

function optionalString(obj: Record<string, PyValue>, key: string, path: string): string | null {
  const v = own(obj, key);
  if (v === undefined) return null;
  if (typeof v !== "string") throw invalid(path, `"${key}" must be a string`);
  return v;
}

function bool(obj: Record<string, PyValue>, key: string, fallback: boolean, path: string): boolean {
  const v = own(obj, key);
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw invalid(path, `"${key}" must be True or False`);
  return v;
}

function stringList(obj: Record<string, PyValue>, key: string, path: string, prefix = ""): string[] {
  const v = own(obj, key);
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw invalid(path, `"${prefix}${key}" must be a list of strings`);
  }
  return v as string[];
}

function own(obj: Record<string, PyValue>, key: string): PyValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
