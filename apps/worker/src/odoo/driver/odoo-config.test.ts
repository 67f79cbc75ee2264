import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONTAINER_PATHS, addonsPath, serveArgs } from "./odoo-args";
import {
  ODOO_RC_PATH,
  ensureOdooConfig,
  generateAdminPassword,
  odooConfigHostPath,
  parseAdminPassword,
  renderOdooConfig,
} from "./odoo-config";
import { contextMounts, type MountContext } from "./odoo-context";

const password = "s3cr3t-0123456789abcdef";
const tmp = mkdtempSync(join(tmpdir(), "slipway-odoo-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The [options] of an INI text, as Odoo's RawConfigParser reads it (comments skipped). */
function options(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = "";
  for (const line of text.split("\n")) {
    if (/^\s*[;#]/.test(line) || !line.trim()) continue;
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) section = header[1]!;
    else if (section === "options") {
      const [key, ...rest] = line.split("=");
      out[key!.trim()] = rest.join("=").trim();
    }
  }
  return out;
}

describe("renderOdooConfig", () => {
  it("turns the database manager off with the build's master password, and nothing about the connection", () => {
    const path = addonsPath({ addonsFolders: ["."], withPlatformAddons: true });
    const text = renderOdooConfig({ adminPassword: password, addonsPath: path, dataDir: CONTAINER_PATHS.data, database: "acme--main-3" });
    expect(options(text)).toEqual({
      admin_passwd: password,
      list_db: "False",
      data_dir: CONTAINER_PATHS.data,
      addons_path: "/home/odoo/src/user,/home/odoo/src/platform",
      db_name: "acme--main-3",
    });
    // The official entrypoint takes --db_host/port/user/password from the file when present: never there.
    expect(text).not.toMatch(/^\s*db_(host|port|user|password)\b/m);
    // The same addons path, data folder and database as the command line (`odoo shell` in a build's shell).
    const args = serveArgs({ database: "acme--main-3", addonsPath: path, workers: 0, maxCronThreads: 1 });
    expect(args[args.indexOf("--addons-path") + 1]).toBe(options(text).addons_path);
    expect(args[args.indexOf("--data-dir") + 1]).toBe(options(text).data_dir);
    expect(args[args.indexOf("-d") + 1]).toBe(options(text).db_name);
    // ...and the master password never on it.
    expect(args.join(" ")).not.toContain(password);
  });

  it("leaves an empty addons path out", () => {
    expect(options(renderOdooConfig({ adminPassword: password, addonsPath: "" }))).toEqual({ admin_passwd: password, list_db: "False" });
  });

  it("refuses Odoo's default or a short master password, and values that would add lines", () => {
    expect(() => renderOdooConfig({ adminPassword: "admin" })).toThrow(/master password/);
    expect(() => renderOdooConfig({ adminPassword: "short" })).toThrow(/master password/);
    expect(() => renderOdooConfig({ adminPassword: `${password}\nlist_db = True` })).toThrow(/admin_passwd/);
    expect(() => renderOdooConfig({ adminPassword: password, addonsPath: "/a\nlist_db = True" })).toThrow(/addons_path/);
  });

  it("reads back the master password it wrote; generated ones are long and differ", () => {
    expect(parseAdminPassword(renderOdooConfig({ adminPassword: password }))).toBe(password);
    expect(parseAdminPassword("[options]\nadmin_passwd = admin\n")).toBeNull();
    const a = generateAdminPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateAdminPassword()).not.toBe(a);
  });
});

describe("ensureOdooConfig and the mount", () => {
  const ctx = {
    database: "acme--main-3",
    logDir: join(tmp, "builds", "b1", "logs"),
    dataVolume: "v",
    platformAddonsHostPath: "/opt/platform",
  } satisfies MountContext;

  it("lives next to the served log folder, not in it", () => {
    const file = odooConfigHostPath(ctx);
    expect(file).toBe(join(tmp, "builds", "b1", "odoo-config", "acme--main-3.conf"));
    expect(relative(ctx.logDir, file).startsWith("..")).toBe(true);
    expect(() => odooConfigHostPath({ ...ctx, database: "../x" })).toThrow(/invalid database/);
  });

  it("writes 0644 in a 0700 folder whatever the umask, and keeps the master password across runs", async () => {
    const file = odooConfigHostPath(ctx);
    const previous = process.umask(0o077);
    try {
      await ensureOdooConfig({ file, addonsPath: "/home/odoo/src/platform", dataDir: CONTAINER_PATHS.data });
    } finally {
      process.umask(previous);
    }
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(statSync(join(tmp, "builds", "b1", "odoo-config")).mode & 0o777).toBe(0o700);
    const first = parseAdminPassword(readFileSync(file, "utf8"));
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await ensureOdooConfig({ file, addonsPath: "/home/odoo/src/user,/home/odoo/src/platform", dataDir: CONTAINER_PATHS.data });
    const again = readFileSync(file, "utf8");
    expect(parseAdminPassword(again)).toBe(first);
    expect(options(again).addons_path).toBe("/home/odoo/src/user,/home/odoo/src/platform");
  });

  it("replaces a file without a usable master password by a fresh random one", async () => {
    const file = join(tmp, "other", "odoo-config", "x.conf");
    await ensureOdooConfig({ file, addonsPath: "", dataDir: CONTAINER_PATHS.data });
    writeFileSync(file, "[options]\nadmin_passwd = admin\nlist_db = True\n");
    await ensureOdooConfig({ file, addonsPath: "", dataDir: CONTAINER_PATHS.data });
    expect(options(readFileSync(file, "utf8"))).toMatchObject({
      list_db: "False",
      admin_passwd: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it("is mounted read-only at the image's ODOO_RC in every run", () => {
    expect(contextMounts(ctx)).toContainEqual({ type: "bind", source: odooConfigHostPath(ctx), target: ODOO_RC_PATH, readOnly: true });
    expect(ODOO_RC_PATH).toBe("/etc/odoo/odoo.conf");
  });
});
