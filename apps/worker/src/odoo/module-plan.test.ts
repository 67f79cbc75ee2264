import { describe, expect, it } from "vitest";
import type { DiscoveredModule } from "@slipway/domain";
import { applyModulePlanArgs } from "./apply-module-plan";
import { checksumsToRecord, planModuleChanges, type DatabaseModules } from "./module-plan";
import { hasOdooNeutralize } from "./neutralize-database";

const mod = (name: string, version: string): DiscoveredModule => ({
  name,
  path: `addons/${name}`,
  addonsPath: "addons",
  fromSubmodule: false,
  manifest: {
    name,
    version,
    depends: [],
    installable: true,
    autoInstall: false,
    data: [],
    demo: [],
    externalDependencies: { python: [], bin: [] },
    license: null,
    application: false,
    raw: {},
  },
});

const database: DatabaseModules = {
  modules: new Map([
    ["base", { state: "installed", latestVersion: "17.0.1.3" }],
    ["a", { state: "installed", latestVersion: "17.0.1.0" }],
    ["b", { state: "installed", latestVersion: "17.0.2.0" }],
    ["gone", { state: "uninstalled", latestVersion: null }],
  ]),
  languages: ["en_US"],
  appliedChecksums: { a: "sa", b: "sb-old" },
};
const discovery = { modules: [mod("a", "1.1"), mod("b", "2.0"), mod("c", "1.0"), mod("gone", "1.0")] };
const checksums = { a: "sa", b: "sb-new", c: "sc", gone: "sg" };

describe("planModuleChanges", () => {
  it("Odoo.sh rule: updates installed modules whose manifest version increased, installs never-seen ones", () => {
    const plan = planModuleChanges({
      discovery,
      database,
      series: "17.0",
      rule: "manifest_version",
      checksums,
      wanted: ["a", "b", "c", "gone"],
    });
    expect(plan.update).toEqual(["a"]);
    expect(plan.versionChanges).toEqual([{ name: "a", from: "17.0.1.0", to: "17.0.1.1" }]);
    // "gone" is known to the database (uninstalled on purpose): it stays uninstalled.
    expect(plan.install).toEqual(["c"]);
    expect(checksumsToRecord(plan, database)).toEqual({ a: "sa", b: "sb-new", c: "sc" });
  });

  it("checksum rule: updates installed modules whose content changed or was never recorded", () => {
    const plan = planModuleChanges({ discovery, database, series: "17.0", rule: "checksum", checksums, wanted: [] });
    expect(plan.update).toEqual(["b"]);
    const none = planModuleChanges({
      discovery,
      database: { ...database, appliedChecksums: {} },
      series: "17.0",
      rule: "checksum",
      checksums,
      wanted: [],
    });
    expect(none.update).toEqual(["a", "b"]);
  });
});

describe("applyModulePlanArgs", () => {
  it("installs and updates in one run without demo data", () => {
    expect(applyModulePlanArgs({ database: "acme", addonsPath: "/x", install: ["c"], update: ["a", "b"] })).toEqual([
      "odoo",
      "-d",
      "acme",
      "--data-dir",
      "/var/lib/odoo",
      "--addons-path",
      "/x",
      "-i",
      "c",
      "-u",
      "a,b",
      "--without-demo=all",
      "--stop-after-init",
    ]);
    expect(() => applyModulePlanArgs({ database: "acme", addonsPath: "", install: [], update: [] })).toThrow(/nothing/);
    expect(() => applyModulePlanArgs({ database: "acme", addonsPath: "", install: ["a;rm"], update: [] })).toThrow(/invalid module/);
  });
});

describe("hasOdooNeutralize", () => {
  it("exists from Odoo 16", () => {
    expect(["15.0", "16.0", "17.0", "saas~17.2", "18.0"].map(hasOdooNeutralize)).toEqual([false, true, true, true, true]);
  });
});
