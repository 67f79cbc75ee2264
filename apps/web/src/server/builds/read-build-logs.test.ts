import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildLogsDir, readBuildLogs } from "./read-build-logs";

const home = mkdtempSync(path.join(tmpdir(), "slipway-logs-"));
const buildId = "0b6a3c52-9d7e-4f1a-8c2b-2f4e6a8b0c1d";
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("build logs", () => {
  const dir = buildLogsDir({ home, buildId });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "odoo.log"), "serving\n");
  writeFileSync(path.join(dir, "install.log"), Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
  writeFileSync(path.join(dir, "pip.log"), "");
  writeFileSync(path.join(dir, "notes.txt"), "not a log");
  writeFileSync(path.join(home, "secret.log"), "outside");
  symlinkSync(path.join(home, "secret.log"), path.join(dir, "link.log"));

  it("lists regular .log files in pipeline order and tails them", async () => {
    const logs = await readBuildLogs({ home, buildId, tailLines: 10 });
    expect(logs.map((l) => l.name)).toEqual(["pip.log", "install.log", "odoo.log"]);
    const install = logs[1]!;
    expect(install.truncated).toBe(true);
    expect(install.text.split("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 21}`));
    expect(logs[2]).toMatchObject({ text: "serving", truncated: false, sizeBytes: 8 });
    expect(logs.some((l) => l.text.includes("outside"))).toBe(false);
  });

  it("returns nothing for a build without logs and refuses ids that are not UUIDs", async () => {
    expect(await readBuildLogs({ home, buildId: "1b6a3c52-9d7e-4f1a-8c2b-2f4e6a8b0c1d" })).toEqual([]);
    await expect(readBuildLogs({ home, buildId: "../../etc" })).rejects.toThrow(/invalid build id/);
  });
});
