// Issue 15, the verdicts a real Odoo developer expects, on whatever image the suite runs
// (npm run test:odoo-compat): an addon without tests is green, not yellow (Odoo warns
// "0 failed, 0 error(s) of 0 tests" and the classifier knows it is harmless), and a clean
// production start writes no ERROR line of the platform's making into the user's log (the
// readiness probe used to leave an idle connection Odoo logged as "Request timed out").
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "verd", image, env: process.env });
}, 300_000);

afterAll(async () => {
  await h?.close();
});

const logOf = (buildId: string, name: string) => readFileSync(path.join(h.deps.config.home, "builds", buildId, "logs", name), "utf8");

describe("verdicts", () => {
  it("an addon without tests builds green, although Odoo reports its empty test run as a WARNING", async () => {
    const build = await h.pushAndBuild("feature", fixtureAddon("http_addon"));
    expect({ state: build.state, result: build.result, reason: build.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect(logOf(build.id, "install.log")).toMatch(/WARNING \S+ odoo\.tests\.result: 0 failed, 0 error\(s\) of 0 tests/);
    expect(build.offendingLines ?? []).toEqual([]);
  }, 300_000);

  it("a clean production start leaves no ERROR line in the server's log, after its first requests", async () => {
    const build = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
    expect(build).toMatchObject({ state: "running", result: "green" });
    expect((await h.get(build.hostname!, "/web/health")).status).toBe(200);
    // A few seconds of serving (the readiness probe and the request above are done by then).
    await new Promise((r) => setTimeout(r, 5_000));
    const log = logOf(build.id, "odoo.log");
    expect(log).toContain("odoo.service.server");
    expect(log.split("\n").filter((l) => / ERROR /.test(l))).toEqual([]);
  }, 300_000);
});
