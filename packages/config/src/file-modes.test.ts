import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { privateStateFolders, restrictFileModes, securePrivateFolders } from "./file-modes";

const mode = (p: string) => statSync(p).mode & 0o777;

describe("private state folders", () => {
  const base = mkdtempSync(join(tmpdir(), "slipway-file-modes-"));
  const previous = process.umask();
  afterAll(() => {
    process.umask(previous);
    rmSync(base, { recursive: true, force: true });
  });

  it("lists the folders holding tenants' data, the backup store wherever it is", () => {
    expect(privateStateFolders({ home: "/srv/s", backups: { root: "/mnt/backups" } })).toEqual([
      "/srv/s/builds",
      "/srv/s/logs",
      "/srv/s/tmp",
      "/srv/s/mails",
      "/srv/s/merges",
      "/srv/s/odoo-postgres",
      "/mnt/backups",
    ]);
  });

  it("creates missing folders 0700 and tightens existing world-readable ones, home included", () => {
    process.umask(0o022);
    const home = join(base, "home");
    mkdirSync(join(home, "builds"), { recursive: true, mode: 0o755 });
    writeFileSync(join(home, "env"), "x");
    const backups = join(base, "elsewhere", "backups");
    expect(mode(home)).toBe(0o755);
    const secured = securePrivateFolders({ home, folders: [join(home, "builds"), join(home, "logs"), backups] });
    expect(secured.home).toBe(0o700);
    expect(mode(home)).toBe(0o700);
    for (const folder of [join(home, "builds"), join(home, "logs"), backups]) expect(mode(folder), folder).toBe(0o700);
  });

  it("leaves SLIPWAY_HOME traversable (0711, never listable) when another user's service lives in it", () => {
    const home = join(base, "shared-home");
    mkdirSync(join(home, "postgres"), { recursive: true, mode: 0o755 });
    // As `npm run services:up` leaves it: the development PostgreSQL's folder owned by `postgres`.
    const isForeign = (path: string) => path.endsWith("/postgres");
    expect(securePrivateFolders({ home, folders: [join(home, "builds")], isForeign }).home).toBe(0o711);
    expect(mode(home)).toBe(0o711);
    expect(mode(join(home, "postgres"))).toBe(0o755);
  });

  it("makes new files 0600 and new folders 0700 once the umask is restricted", () => {
    restrictFileModes();
    expect(process.umask()).toBe(0o077);
    const dir = join(base, "new-folder");
    mkdirSync(dir);
    writeFileSync(join(dir, "dump.pgc"), "x");
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, "dump.pgc"))).toBe(0o600);
  });
});
