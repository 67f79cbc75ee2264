import { describe, expect, it } from "vitest";
import type { DiscoveredModule } from "./addons-layout";
import { parseManifest } from "./manifest";
import { selectModulesToInstall } from "./select-modules";

const mod = (name: string, options: { sub?: boolean; installable?: boolean } = {}): DiscoveredModule => ({
  name,
  path: `addons/${name}`,
  addonsPath: "addons",
  fromSubmodule: options.sub ?? false,
  manifest: parseManifest({
    content: `{'installable': ${options.installable === false ? "False" : "True"}}`,
    path: `addons/${name}/__manifest__.py`,
  }),
});

const modules = [mod("my_b"), mod("my_a"), mod("old", { installable: false }), mod("web_oca", { sub: true })];

describe("selectModulesToInstall", () => {
  it("only my modules: repository modules, no submodules, installable only", () => {
    expect(selectModulesToInstall({ mode: "own_modules", modules })).toEqual(["my_a", "my_b"]);
  });

  it("full installation: every installable module, submodules included", () => {
    expect(selectModulesToInstall({ mode: "full", modules })).toEqual(["my_a", "my_b", "web_oca"]);
  });

  it("an explicit list is validated against the discovered modules", () => {
    expect(selectModulesToInstall({ mode: "list", modules, list: ["web_oca", " my_a ", "my_a"] })).toEqual(["my_a", "web_oca"]);
    expect(selectModulesToInstall({ mode: "list", modules, list: ["sale", "my_a"], otherAvailable: ["sale"] })).toEqual(["my_a", "sale"]);
    expect(() => selectModulesToInstall({ mode: "list", modules, list: ["nope", "my_a", "gone"] })).toThrow(
      "unknown modules: nope, gone (not found in the branch's addons folders)",
    );
    expect(() => selectModulesToInstall({ mode: "list", modules, list: ["old"] })).toThrow("not installable");
    expect(() => selectModulesToInstall({ mode: "list", modules, list: ["My-Mod"] })).toThrow("only lowercase letters");
    expect(() => selectModulesToInstall({ mode: "list", modules, list: [] })).toThrow("is empty");
  });
});
