import { describe, expect, it } from "vitest";
import { compareModuleVersions, fullModuleVersion, modulesToUpdateByVersion, parseModuleVersion } from "./module-version";

describe("module versions", () => {
  it("prefixes the series like Odoo's adapt_version", () => {
    expect(fullModuleVersion("17.0", "1.0")).toBe("17.0.1.0");
    expect(fullModuleVersion("17.0", "1.1")).toBe("17.0.1.1");
    expect(fullModuleVersion("17.0", "17.0.1.0.0")).toBe("17.0.1.0.0");
    expect(fullModuleVersion("17.0", "17.0")).toBe("17.0.17.0");
    expect(fullModuleVersion("17.0", "16.0.1.0")).toBe("17.0.16.0.1.0");
  });

  it("compares like odoo.tools.parse_version", () => {
    expect(compareModuleVersions("17.0.1.1", "17.0.1.0")).toBeGreaterThan(0);
    expect(compareModuleVersions("17.0.1.0", "17.0.1.0.0")).toBe(0);
    expect(compareModuleVersions("17.0.1.10", "17.0.1.9")).toBeGreaterThan(0);
    expect(compareModuleVersions("17.0.2.0", "17.0.10.0")).toBeLessThan(0);
    expect(compareModuleVersions("1.0rc1", "1.0")).toBeLessThan(0);
    expect(compareModuleVersions("1.0a", "1.0b")).toBeLessThan(0);
    expect(compareModuleVersions("1.0.dev1", "1.0a1")).toBeLessThan(0);
    expect(compareModuleVersions("1.0", "1.0-1")).toBeLessThan(0);
    expect(parseModuleVersion("2.4.0")).toEqual(["00000002", "00000004", "*final"]);
  });

  it("lists installed modules whose manifest version increased", () => {
    const installed = new Map([
      ["my_addon", "17.0.1.0"],
      ["other", "17.0.2.0"],
      ["gone", "17.0.1.0"],
      ["downgraded", "17.0.3.0"],
    ]);
    const available = new Map([
      ["my_addon", "1.1"],
      ["other", "17.0.2.0.0"],
      ["downgraded", "2.0"],
      ["new_module", "1.0"],
    ]);
    expect(modulesToUpdateByVersion({ installed, available, series: "17.0" })).toEqual([
      { name: "my_addon", from: "17.0.1.0", to: "17.0.1.1" },
    ]);
  });
});
