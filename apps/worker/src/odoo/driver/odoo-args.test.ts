import { describe, expect, it } from "vitest";
import {
  addonsPath,
  createDatabaseArgs,
  installModulesArgs,
  neutralizeArgs,
  runTestsArgs,
  serveArgs,
  updateModulesArgs,
} from "./odoo-args";

const c = { database: "acme-main-7", addonsPath: "/home/odoo/src/user" };

describe("addonsPath", () => {
  it("maps discovered folders under the checkout mount, then the platform addons, without duplicates", () => {
    expect(addonsPath({ addonsFolders: [".", "addons/", "vendor/oca", "addons"], withPlatformAddons: true })).toBe(
      "/home/odoo/src/user,/home/odoo/src/user/addons,/home/odoo/src/user/vendor/oca,/home/odoo/src/platform",
    );
    expect(addonsPath({ addonsFolders: [], withPlatformAddons: false })).toBe("");
  });

  it("refuses folders outside the checkout", () => {
    expect(() => addonsPath({ addonsFolders: ["../etc"], withPlatformAddons: false })).toThrow(/outside/);
    expect(() => addonsPath({ addonsFolders: ["/etc"], withPlatformAddons: false })).toThrow(/outside/);
  });
});

describe("Odoo command lines", () => {
  it("creates a database with or without demo data", () => {
    expect(createDatabaseArgs({ ...c, withDemo: false })).toEqual([
      "odoo",
      "-d",
      "acme-main-7",
      "--data-dir",
      "/var/lib/odoo",
      "--addons-path",
      "/home/odoo/src/user",
      "-i",
      "base",
      "--without-demo=all",
      "--stop-after-init",
    ]);
    expect(createDatabaseArgs({ ...c, withDemo: true })).not.toContain("--without-demo=all");
  });

  it("installs with tests and tags, updates, tests and neutralizes", () => {
    expect(installModulesArgs({ ...c, modules: ["a", "b"], withDemo: true, tests: { enabled: true, tags: "/a" } }).slice(-6)).toEqual([
      "-i",
      "a,b",
      "--test-enable",
      "--test-tags",
      "/a",
      "--stop-after-init",
    ]);
    expect(updateModulesArgs({ ...c, modules: ["a"] }).slice(-3)).toEqual(["-u", "a", "--stop-after-init"]);
    expect(runTestsArgs({ ...c }).slice(-2)).toEqual(["--test-enable", "--stop-after-init"]);
    expect(neutralizeArgs(c).slice(0, 4)).toEqual(["odoo", "neutralize", "-d", "acme-main-7"]);
    expect(() => installModulesArgs({ ...c, modules: [], withDemo: false })).toThrow();
    expect(() => updateModulesArgs({ ...c, modules: ["a;rm"] })).toThrow(/invalid module/);
  });

  it("serves one pinned database behind the proxy with the mail catcher", () => {
    const args = serveArgs({ ...c, database: "acme.main", workers: 2, maxCronThreads: 1, smtp: { host: "slipway-mail", port: 2525 } });
    expect(args).toEqual(
      expect.arrayContaining(["--db-filter", "^acme\\.main$", "--proxy-mode", "--http-port", "8069", "--gevent-port", "8072"]),
    );
    expect(args.join(" ")).toContain("--workers 2 --max-cron-threads 1 --smtp slipway-mail --smtp-port 2525");
  });
});
