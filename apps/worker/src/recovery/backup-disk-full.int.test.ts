// Issue 12 item 7: the backup disk fills up during a backup. The backup store is a small tmpfs of
// the test's own; a first backup fits, then the disk is filled to a few hundred KB and new
// attachments make the next backup larger than what is left. The backup must fail with a clear
// reason, leave no partial archive (no temporary file, no folder of the failed backup, every
// filestore object and dump chunk left whole), not be listed as usable, keep the earlier backup intact (it verifies:
// restored in a scratch database, row counts and checksums), and production keeps serving 200.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBranchBackups } from "@slipway/db";
import { createBackup } from "../backups/create-backup";
import { verifyBackup } from "../backups/verify-backup";
import { addAttachments, fingerprint } from "../backups/testing/backup-fixture";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { recordFaultRow, stuckBuilds, wrongRoutes } from "./testing/fault-services";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;
let store: string;
let mounted = false;
let hostname: string;
let branchId: string;

/** Every file under the store root, relative, with its size. */
function files(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(root, p), statSync(p).size);
    }
  };
  walk(root);
  return out;
}

const free = () => {
  const s = statfsSync(store);
  return s.bavail * s.bsize;
};

// Mounting a tmpfs takes root (CI and the dev container run as root); elsewhere the test is skipped.
const CAN_MOUNT = process.getuid?.() === 0;

beforeAll(async () => {
  if (!CAN_MOUNT) return;
  store = mkdtempSync(path.join(tmpdir(), "slipway-fault-backups-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", store]);
  mounted = true;
  h = await createPipelineHarness({ prefix: "dsk", image, env: { ...process.env, SLIPWAY_BACKUP_DIR: store } });
  const first = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
  expect({ state: first.state, result: first.result, reason: first.failureReason }).toEqual({
    state: "running",
    result: "green",
    reason: null,
  });
  hostname = first.hostname!;
  branchId = first.branchId;
  await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('kept', 21, 42)");
  await addAttachments(h.deps, { database: h.slug, count: 4, size: 20_000, labels: { project: h.projectId } });
}, 400_000);

afterAll(async () => {
  await h?.close().catch(() => undefined);
  if (mounted) {
    try {
      execFileSync("umount", [store]);
    } catch {
      execFileSync("umount", ["-l", store]);
    }
  }
  if (store) rmdirSync(store);
}, 300_000);

describe.runIf(CAN_MOUNT)("a full backup disk during a backup", () => {
  it("fails the backup with a clear reason, leaves no partial archive, keeps the earlier backup and production serving", async () => {
    const earlier = await createBackup({ deps: h.deps, branchId, kind: "manual" });
    expect(earlier.state).toBe("done");
    const before = await fingerprint(h.deps, h.slug);

    // Fill the disk to ~300 KB, then give production 3 MB of new files: they cannot fit.
    const filler = path.join(store, "filler");
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 300_000)));
    const filled = files(store);
    await addAttachments(h.deps, { database: h.slug, count: 6, size: 500_000, labels: { project: h.projectId } });
    const expected = await fingerprint(h.deps, h.slug);

    const started = Date.now();
    const error = await createBackup({ deps: h.deps, branchId, kind: "manual" }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    const failMs = Date.now() - started;
    expect(error).not.toBeNull();
    const failed = await h.prisma.backup.findFirstOrThrow({ where: { branchId, id: { not: earlier.id } }, orderBy: { createdAt: "desc" } });
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/no space left|disk is full|ENOSPC/i);

    // No partial archive: nothing in tmp/, no folder of the failed backup, every object whole
    // (content-addressed: its name is its sha256; the sweep removes unreferenced ones later).
    const after = files(store);
    const added = [...after.keys()].filter((f) => !filled.has(f));
    expect(added.filter((f) => f.startsWith("tmp/") || f.startsWith(`backups/${failed.id}`))).toEqual([]);
    for (const f of added) {
      // Filestore objects are stored as they are; dump chunks carry a codec byte (0 raw, 1 brotli).
      expect(f).toMatch(/^(objects|chunks)\//);
      const stored = readFileSync(path.join(store, f));
      const plain = f.startsWith("objects/") ? stored : stored[0] === 0 ? stored.subarray(1) : brotliDecompressSync(stored.subarray(1));
      expect(createHash("sha256").update(plain).digest("hex")).toBe(path.basename(f));
    }
    for (const [f, size] of filled) expect(after.get(f)).toBe(size);

    // Listed as failed, never as a usable backup; the earlier one is the only usable one.
    const listed = await listBranchBackups(h.prisma, { branchId });
    expect(listed.filter((b) => b.state === "done").map((b) => b.id)).toEqual([earlier.id]);
    expect(listed.find((b) => b.id === failed.id)).toMatchObject({ state: "failed", sizeBytes: null });

    // Production untouched and serving; the earlier backup restores and checks out (room made for its scratch copy).
    rmSync(filler);
    expect(await fingerprint(h.deps, h.slug)).toEqual(expected);
    expect(Object.keys(expected.files)).toEqual(expect.arrayContaining(Object.keys(before.files)));
    expect((await h.get(hostname, "/web/health")).status).toBe(200);
    const verified = await verifyBackup({ deps: h.deps, backupId: earlier.id });
    expect(verified).toMatchObject({ ok: true, problems: [] });
    const stuck = await stuckBuilds(h.prisma, h.projectId);
    const wrong = await wrongRoutes(h.deps, h.projectId);
    expect(stuck).toBe(0);
    expect(wrong).toEqual([]);
    recordFaultRow(
      {
        fault: "backup disk full during a backup (48 MB tmpfs, 300 KB left)",
        times: 1,
        productionIntact: true,
        stuckBuilds: stuck,
        wrongRoutes: wrong.length,
        recoveryMs: failMs,
        outcome: `backup failed ("${failed.error!.slice(0, 80)}"), no partial archive, earlier backup verifies, 200`,
      },
      process.env,
    );
  }, 600_000);
});
