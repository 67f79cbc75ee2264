import { describe, expect, it } from "vitest";
import { isDomainError } from "../errors";
import {
  buildOdooImage,
  developmentOdooImage,
  developmentTestTags,
  parseModuleList,
  parseOdooRevision,
  parseTestTags,
  planBranchSettings,
  stageSettings,
  usesDefaultBehaviour,
  type BranchSettings,
} from "./branch-settings";

const defaults: BranchSettings = {
  pushBehavior: "new_build",
  installMode: "own_modules",
  installModules: [],
  testsEnabled: true,
  testTags: null,
  odooVersion: null,
  odooRevision: null,
};
const project = { odooImage: "odoo:17.0", odooVersion: "17.0" };

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isDomainError(e, "invalid_input")) return e.message;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("branch settings per stage (seed Settings tab)", () => {
  it("shows behaviour upon new commits for development and staging, the rest for development only", () => {
    expect(stageSettings("development")).toEqual({
      pushBehaviors: ["new_build", "do_nothing"],
      developmentBehaviour: true,
      odooVersion: true,
    });
    expect(stageSettings("staging")).toEqual({
      pushBehaviors: ["update_previous", "new_build", "do_nothing"],
      developmentBehaviour: false,
      odooVersion: false,
    });
    expect(stageSettings("production")).toEqual({ pushBehaviors: [], developmentBehaviour: false, odooVersion: false });
  });
});

describe("parseTestTags", () => {
  it("normalizes the seed's example and Odoo's spec forms", () => {
    expect(parseTestTags("custom_tags, at_install,post_install")).toBe("custom_tags,at_install,post_install");
    expect(parseTestTags("/green_addon,-/green_addon:TestSlow.test_x,*,+standard")).toBe(
      "/green_addon,-/green_addon:TestSlow.test_x,*,+standard",
    );
    expect(parseTestTags(" , ")).toBeNull();
    expect(parseTestTags("a,a")).toBe("a");
  });

  it("refuses what Odoo would not read, naming the bad tags", () => {
    expect(refusal(() => parseTestTags("ok, bad tag"))).toContain('"bad tag"');
    expect(refusal(() => parseTestTags("--test-enable"))).toContain("Invalid test tag");
    expect(refusal(() => parseTestTags("-"))).toContain('"-"');
    expect(refusal(() => parseTestTags("x;rm -rf"))).toContain("Invalid test tag");
    expect(() => parseTestTags(Array.from({ length: 200 }, (_, i) => `tag_${i}`).join(","))).toThrow(/longer than 500/);
  });
});

describe("parseModuleList", () => {
  it("splits on commas and spaces, keeps the order, drops duplicates", () => {
    expect(parseModuleList("sale_management, website,,website accountant", null)).toEqual(["sale_management", "website", "accountant"]);
  });

  it("refuses an empty list, invalid names and names the last build did not find", () => {
    expect(refusal(() => parseModuleList(" , ", null))).toContain("at least one module");
    expect(refusal(() => parseModuleList("Sale", null))).toContain("uppercase");
    expect(refusal(() => parseModuleList("green_addon,nope", ["green_addon", "other"]))).toBe(
      "Unknown module: nope — not found in the branch's addons folders by its last build (found: green_addon, other).",
    );
    expect(parseModuleList("other", ["green_addon", "other"])).toEqual(["other"]);
  });
});

describe("Odoo version and revision of development branches", () => {
  it("reads a revision: Latest, a date or a digest", () => {
    expect(parseOdooRevision("")).toBeNull();
    expect(parseOdooRevision(" Latest ")).toBeNull();
    expect(parseOdooRevision("20250110")).toBe("20250110");
    expect(parseOdooRevision(`sha256:${"a".repeat(64)}`)).toBe(`sha256:${"a".repeat(64)}`);
    expect(refusal(() => parseOdooRevision("20250230"))).toContain("Invalid revision");
    expect(refusal(() => parseOdooRevision("17.0;x"))).toContain("Invalid revision");
  });

  it("derives the image from the project's", () => {
    const d = (o: Partial<Parameters<typeof developmentOdooImage>[0]>) =>
      developmentOdooImage({ projectImage: "odoo:17.0", projectVersion: "17.0", odooVersion: null, odooRevision: null, ...o });
    expect(d({})).toBe("odoo:17.0");
    expect(d({ odooVersion: "17.0" })).toBe("odoo:17.0");
    expect(d({ odooVersion: "18.0" })).toBe("odoo:18.0");
    expect(d({ odooVersion: "18.0", odooRevision: "20250110" })).toBe("odoo:18.0-20250110");
    expect(d({ odooRevision: `sha256:${"b".repeat(64)}` })).toBe(`odoo:17.0@sha256:${"b".repeat(64)}`);
    expect(d({ projectImage: "registry.example.com:5000/slipway/odoo-standin:17.0", odooVersion: "16.0" })).toBe(
      "registry.example.com:5000/slipway/odoo-standin:16.0",
    );
    expect(d({ projectImage: `odoo:17.0@sha256:${"c".repeat(64)}`, odooVersion: "18.0" })).toBe("odoo:18.0");
    expect(refusal(() => d({ projectImage: "acme/odoo:stable", odooVersion: "18.0" }))).toContain("does not carry its version 17.0");
  });

  it("applies only to development builds", () => {
    const branch = { ...defaults, id: "b", name: "dev", odooVersion: "18.0" };
    const p = {
      ...project,
      id: "p",
      slug: "s",
      repoUrl: "",
      baseDomain: "x",
      moduleUpdateRule: "manifest_version" as const,
      checksumExcludes: [],
    };
    const build = { id: "1", projectId: "p", branchId: "b", number: 1, revision: "r", commitMessage: null, commitAuthor: null };
    expect(buildOdooImage({ build: { ...build, stage: "development" }, branch, project: p })).toBe("odoo:18.0");
    expect(buildOdooImage({ build: { ...build, stage: "staging" }, branch, project: p })).toBe("odoo:17.0");
  });
});

describe("planBranchSettings", () => {
  it("changes test tags and reports exactly what changed", () => {
    const { next, changes } = planBranchSettings({
      stage: "development",
      current: defaults,
      input: { useDefault: false, installMode: "own_modules", testsEnabled: true, testTags: "/green_addon" },
      knownModules: null,
      project,
    });
    expect(next.testTags).toBe("/green_addon");
    expect(changes).toEqual({ testTags: { from: null, to: "/green_addon" } });
    expect(usesDefaultBehaviour(next)).toBe(false);
  });

  it("'Use Default' restores only my modules with every test", () => {
    const current = { ...defaults, installMode: "list" as const, installModules: ["a"], testsEnabled: false, testTags: "x" };
    const { next } = planBranchSettings({
      stage: "development",
      current,
      input: { useDefault: true, installMode: "full", testTags: "ignored" },
      knownModules: null,
      project,
    });
    expect(next).toEqual(defaults);
  });

  it("a list install checks the modules; other modes clear the list", () => {
    const list = planBranchSettings({
      stage: "development",
      current: defaults,
      input: { installMode: "list", installModules: "green_addon" },
      knownModules: ["green_addon"],
      project,
    });
    expect(list.next.installModules).toEqual(["green_addon"]);
    expect(
      planBranchSettings({ stage: "development", current: list.next, input: { installMode: "full" }, knownModules: null, project }).next
        .installModules,
    ).toEqual([]);
    expect(
      refusal(() =>
        planBranchSettings({
          stage: "development",
          current: defaults,
          input: { installMode: "list", installModules: "nope" },
          knownModules: ["green_addon"],
          project,
        }),
      ),
    ).toContain("Unknown module: nope");
  });

  it("refuses settings the stage does not have", () => {
    expect(
      refusal(() => planBranchSettings({ stage: "staging", current: defaults, input: { testTags: "x" }, knownModules: null, project })),
    ).toBe("Module installation and the test suite is not a setting of staging branches.");
    expect(
      refusal(() =>
        planBranchSettings({
          stage: "development",
          current: defaults,
          input: { pushBehavior: "update_previous" },
          knownModules: null,
          project,
        }),
      ),
    ).toContain('"Update previous build" is not a behaviour of development branches');
    expect(
      refusal(() =>
        planBranchSettings({ stage: "production", current: defaults, input: { pushBehavior: "new_build" }, knownModules: null, project }),
      ),
    ).toContain("Production branches have none of these settings");
    expect(
      planBranchSettings({ stage: "staging", current: defaults, input: { pushBehavior: "update_previous" }, knownModules: null, project })
        .changes,
    ).toEqual({ pushBehavior: { from: "new_build", to: "update_previous" } });
  });

  it("stores the project's version as null and refuses a version it cannot derive an image for", () => {
    const same = planBranchSettings({
      stage: "development",
      current: defaults,
      input: { odooVersion: "17.0" },
      knownModules: null,
      project,
    });
    expect(same.next.odooVersion).toBeNull();
    expect(same.changes).toEqual({});
    const other = planBranchSettings({
      stage: "development",
      current: defaults,
      input: { odooVersion: "18.0", odooRevision: "20250110" },
      knownModules: null,
      project,
    });
    expect(other.changes).toEqual({ odooVersion: { from: null, to: "18.0" }, odooRevision: { from: null, to: "20250110" } });
    expect(
      refusal(() =>
        planBranchSettings({
          stage: "development",
          current: defaults,
          input: { odooVersion: "18.0" },
          knownModules: null,
          project: { odooImage: "acme/odoo:stable", odooVersion: "17.0" },
        }),
      ),
    ).toContain("does not carry its version");
    expect(
      refusal(() =>
        planBranchSettings({ stage: "development", current: defaults, input: { odooVersion: "15.0" }, knownModules: null, project }),
      ),
    ).toContain('Unknown Odoo version "15.0"');
  });
});

describe("developmentTestTags (issue 15: the verdict is about the branch's code)", () => {
  it("defaults to the standard tests of the modules the build installs, not their dependencies'", () => {
    expect(developmentTestTags({ testTags: null, modules: ["my_shop", "my_theme"] })).toBe("/my_shop,/my_theme");
    expect(developmentTestTags({ testTags: null, modules: [] })).toBeUndefined();
  });

  it("keeps the branch's own tags (`standard` runs every installed module's tests)", () => {
    expect(developmentTestTags({ testTags: "standard", modules: ["my_shop"] })).toBe("standard");
    expect(developmentTestTags({ testTags: "/my_shop:TestCart", modules: ["my_shop"] })).toBe("/my_shop:TestCart");
  });
});
