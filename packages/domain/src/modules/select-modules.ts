// Which modules a development build installs (docs/product/builds-and-tests.md): "only my modules" (default: the
// repository's modules, submodules excluded), "full installation" (every module found), or an
// explicit list. Non-installable modules are never selected; Odoo installs dependencies itself.
import type { InstallMode } from "../builds/steps";
import { DomainError } from "../errors";
import type { DiscoveredModule } from "./addons-layout";
import { checkModuleName } from "./module-name";

export function selectModulesToInstall(options: {
  mode: InstallMode;
  modules: readonly DiscoveredModule[];
  list?: readonly string[];
  /** Modules available outside the repository (e.g. Odoo's own addons in the image). */
  otherAvailable?: Iterable<string>;
}): string[] {
  const { mode, modules } = options;
  if (mode === "own_modules") return sorted(modules.filter((m) => !m.fromSubmodule && m.manifest.installable));
  if (mode === "full") return sorted(modules.filter((m) => m.manifest.installable));

  const list = [...new Set((options.list ?? []).map((n) => n.trim()).filter((n) => n !== ""))];
  if (list.length === 0) throw new DomainError("invalid_input", "the list of modules to install is empty");
  const invalid = list.map(checkModuleName).flatMap((c) => (c.ok ? [] : [c.reason]));
  if (invalid.length > 0) throw new DomainError("invalid_input", invalid.join("; "), { details: { invalid } });
  const byName = new Map(modules.map((m) => [m.name, m]));
  const other = new Set(options.otherAvailable ?? []);
  const unknown = list.filter((n) => !byName.has(n) && !other.has(n));
  if (unknown.length > 0) {
    throw new DomainError(
      "invalid_input",
      `unknown module${unknown.length === 1 ? "" : "s"}: ${unknown.join(", ")} (not found in the branch's addons folders)`,
      { details: { unknown } },
    );
  }
  const notInstallable = list.filter((n) => byName.get(n)?.manifest.installable === false);
  if (notInstallable.length > 0) {
    throw new DomainError("invalid_input", `not installable (installable is False): ${notInstallable.join(", ")}`, {
      details: { notInstallable },
    });
  }
  return list.sort();
}

function sorted(modules: readonly DiscoveredModule[]): string[] {
  return modules.map((m) => m.name).sort();
}
