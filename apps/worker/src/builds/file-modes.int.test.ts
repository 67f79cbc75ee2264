// Issue 11 item 10 (M7): the worker runs with umask 077 (apps/worker/src/main.ts calls
// restrictFileModes() first thing), so build logs and backups are private to the platform's user,
// while Odoo (uid 101 in its container) still reads the checkout and the platform addons mounted
// read-only: a production build under that umask installs, serves through the proxy and is backed up.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restrictFileModes } from "@slipway/config";
import { createBackup } from "../backups/create-backup";
import { LocalBackupStore } from "../backups/store/local-store";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { buildWorkspace } from "./workspace";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const tmp = mkdtempSync(path.join(tmpdir(), "slipway-file-modes-"));
const initialUmask = process.umask();
let h: PipelineHarness;

const mode = (p: string) => statSync(p).mode & 0o777;

/** Every file and folder under `root` (symlinks excluded), with its mode. */
function modesUnder(root: string): { files: Map<string, number>; dirs: Map<string, number> } {
  const files = new Map<string, number>();
  const dirs = new Map<string, number>([[root, mode(root)]]);
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        dirs.set(p, mode(p));
        walk(p);
      } else if (e.isFile()) files.set(p, mode(p));
    }
  };
  walk(root);
  return { files, dirs };
}

beforeAll(async () => {
  // As the worker process does at start, before anything is written.
  restrictFileModes();
  h = await createPipelineHarness({ prefix: "modes", image, env: process.env });
}, 300_000);

afterAll(async () => {
  await h?.close();
  process.umask(initialUmask);
  rmSync(tmp, { recursive: true, force: true });
});

describe("file modes under the platform's umask 077", () => {
  it("a production build still installs and serves (Odoo reads the checkout), its logs are 0600 in 0700 folders, and its backup's objects are 0600 in 0700 folders", async () => {
    expect(process.umask()).toBe(0o077);
    const build = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
    expect(build.failureReason).toBeNull();
    expect(build).toMatchObject({ state: "running", result: "green" });
    expect((await h.get(build.hostname!, "/web/health")).status).toBe(200);

    const ws = buildWorkspace(h.deps.config.home, build.id);
    // The checkout Odoo's user reads: world-readable whatever the umask.
    expect(mode(ws.src)).toBe(0o755);
    expect(mode(path.join(ws.src, "addons", "green_addon", "__manifest__.py"))).toBe(0o644);
    // Logs: the build's folder and its logs folder 0700, every log file 0600.
    expect(mode(ws.root)).toBe(0o700);
    const logs = modesUnder(ws.logs);
    expect(
      [...logs.dirs.values()].every((m) => m === 0o700),
      JSON.stringify([...logs.dirs]),
    ).toBe(true);
    expect([...logs.files.keys()].map((f) => path.basename(f))).toEqual(expect.arrayContaining(["install.log", "odoo.log"]));
    expect([...logs.files].filter(([, m]) => m !== 0o600)).toEqual([]);

    // A backup of the production database: the store's folders 0700, its files (dump, manifest,
    // content-addressed filestore objects) 0600.
    const root = path.join(tmp, "store");
    const backup = await createBackup({ deps: h.deps, store: new LocalBackupStore(root), branchId: build.branchId, kind: "manual" });
    expect(backup.state).toBe("done");
    const stored = modesUnder(root);
    const objects = [...stored.files.keys()].filter((f) => f.includes(`${path.sep}objects${path.sep}`));
    expect(objects.length).toBeGreaterThan(0);
    expect([...stored.files.keys()].some((f) => f.includes(`${path.sep}backups${path.sep}`))).toBe(true);
    expect([...stored.files].filter(([, m]) => m !== 0o600)).toEqual([]);
    expect([...stored.dirs].filter(([, m]) => m !== 0o700)).toEqual([]);
  });

  it("the backup store writes 0600 files in 0700 folders even under a permissive umask", async () => {
    const previous = process.umask(0o022);
    try {
      const root = path.join(tmp, "permissive-store");
      const store = new LocalBackupStore(root);
      await store.put("backups/b1/dump.pgc", Readable.from([Buffer.from("dump")]));
      const object = await store.putObject(Readable.from([Buffer.from("attachment")]));
      expect(mode(path.join(root, "backups", "b1", "dump.pgc"))).toBe(0o600);
      expect(mode(path.join(root, "objects", object.sha256.slice(0, 2), object.sha256))).toBe(0o600);
      for (const dir of [
        root,
        path.join(root, "backups"),
        path.join(root, "backups", "b1"),
        path.join(root, "objects"),
        path.join(root, "objects", object.sha256.slice(0, 2)),
        path.join(root, "tmp"),
      ]) {
        expect(mode(dir), dir).toBe(0o700);
      }
    } finally {
      process.umask(previous);
    }
  });
});
