import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  clearSwapRecord,
  criticalSection,
  drainCriticalSections,
  journalDir,
  listSwapRecords,
  readSwapRecord,
  withSwapLock,
  writeSwapRecord,
  type SwapRecord,
} from "./swap-journal";

const home = mkdtempSync(join(tmpdir(), "slipway-journal-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const record: SwapRecord = {
  kind: "snapshot-restore",
  database: "acme",
  volume: "slipway-acme-data",
  snapshot: "acme_pre_3",
  asideDir: ".aside-acme",
  phase: "restoring",
  startedAt: "2026-12-04T17:00:00.000Z",
};

describe("swap journal", () => {
  it("writes a record atomically (no temporary file left, 0600 in a 0700 folder), reads, lists and clears it", () => {
    expect(readSwapRecord(home, "acme")).toBeNull();
    writeSwapRecord(home, record);
    expect(readSwapRecord(home, "acme")).toEqual(record);
    expect(readdirSync(journalDir(home))).toEqual(["acme.json"]);
    expect(statSync(join(journalDir(home), "acme.json")).mode & 0o777).toBe(0o600);
    expect(statSync(journalDir(home)).mode & 0o777).toBe(0o700);
    writeSwapRecord(home, { ...record, snapshot: "acme_pre_4" });
    expect(listSwapRecords(home)).toEqual([{ ...record, snapshot: "acme_pre_4" }]);
    clearSwapRecord(home, "acme");
    clearSwapRecord(home, "acme");
    expect(listSwapRecords(home)).toEqual([]);
  });

  it("runs one operation per database at a time, in order, whatever the previous one did", async () => {
    const order: string[] = [];
    const slow =
      (name: string, ms: number, fail = false) =>
      async () => {
        order.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      withSwapLock("a", slow("1", 30, true)),
      withSwapLock("a", slow("2", 5)),
      withSwapLock("b", slow("3", 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(order.indexOf("2:start")).toBeGreaterThan(order.indexOf("1:end"));
    expect(order.indexOf("3:end")).toBeLessThan(order.indexOf("1:end"));
  });

  it("a shutdown waits for the critical sections in flight, up to its bound", async () => {
    let done = false;
    const section = criticalSection(async () => {
      await new Promise((r) => setTimeout(r, 50));
      done = true;
    });
    expect(await drainCriticalSections(2_000)).toEqual({ drained: true });
    expect(done).toBe(true);
    await section;
    const long = criticalSection(() => new Promise((r) => setTimeout(r, 300)));
    expect(await drainCriticalSections(20)).toEqual({ drained: false });
    await long;
    expect(await drainCriticalSections(20)).toEqual({ drained: true });
  });
});
