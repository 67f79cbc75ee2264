// Branch settings honoured by the next development build (issue 14, seed branch "Settings" tab):
// each setting is changed the way the web saves it (planBranchSettings + saveBranchSettings), then
// the next push's build is run for real and its recorded Odoo command line and image inspected —
// the same rows the build page reads (findBuildByNumber).
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBranchSettings, findBuildByNumber, saveBranchSettings } from "@slipway/db";
import { planBranchSettings, type BranchSettingsInput } from "@slipway/domain";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;
const files = { ...fixtureAddon("green_addon"), ...fixtureAddon("warning_addon") };

async function changeSettings(input: BranchSettingsInput): Promise<void> {
  const branch = await findBranchSettings(h.prisma, { projectId: h.projectId, name: "feature" });
  if (!branch) throw new Error("no branch");
  const { next } = planBranchSettings({
    stage: branch.stage,
    current: branch.settings,
    input,
    knownModules: branch.discovered?.modules ?? null,
    project: { odooImage: image, odooVersion: "17.0" },
  });
  const user = await h.prisma.user.findFirstOrThrow();
  expect(
    await saveBranchSettings(h.prisma, {
      projectId: h.projectId,
      branchId: branch.id,
      stage: branch.stage,
      settings: next,
      event: { actorId: user.id, kind: "branch.settings", message: "test" },
      audit: { projectId: h.projectId, actorId: user.id, action: "branch.settings", target: "feature" },
    }),
  ).toBe("saved");
}

/** The next push's build, as the build page reads it: the install step's command line, the image. */
async function nextBuild(n: number) {
  const build = await h.pushAndBuild("feature", { ...files, "README.md": `push ${n}\n` });
  expect(build.state).toBe("running");
  const detail = await findBuildByNumber(h.prisma, { projectId: h.projectId, number: build.number });
  const step = (name: string) => detail!.steps.find((s) => s.name === name);
  return { build, install: step("install")?.command ?? "", image: step("dependencies")?.image, createDb: step("create_database")?.command };
}

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "bset", image, env: process.env });
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 120_000);

describe("branch settings → the next development build", () => {
  it("default: only my modules, the whole test suite, the project's image", async () => {
    const first = await nextBuild(1);
    // By default only the branch's own modules' tests run (issue 15), named on the command line.
    expect(first.install).toMatch(
      /^odoo -d \S+ .* -i green_addon,warning_addon --test-enable --test-tags \/green_addon,\/warning_addon --stop-after-init$/,
    );
    expect(first.createDb).toContain("-i base");
    expect(first.image).toBe(image);
    const discovered = await findBranchSettings(h.prisma, { projectId: h.projectId, name: "feature" });
    expect(discovered?.discovered).toEqual({ buildNumber: first.build.number, modules: ["green_addon", "warning_addon"] });
  }, 240_000);

  it("test tags: the next build's command carries --test-tags", async () => {
    await changeSettings({ useDefault: false, installMode: "own_modules", testsEnabled: true, testTags: "/green_addon, -/warning_addon" });
    const b = await nextBuild(2);
    expect(b.install).toContain("-i green_addon,warning_addon --test-enable --test-tags /green_addon,-/warning_addon --stop-after-init");
  }, 240_000);

  it("tests off and a list of modules: no --test-enable, -i of the list only", async () => {
    await changeSettings({ useDefault: false, installMode: "list", installModules: "green_addon", testsEnabled: false, testTags: "" });
    const b = await nextBuild(3);
    expect(b.install).toMatch(/ -i green_addon --stop-after-init$/);
    expect(b.install).not.toContain("--test-enable");
  }, 240_000);

  it("full installation never runs the tests; Odoo version 18.0 starts the build from the 18.0 image", async () => {
    // What is checked is the image the platform picks. Where the image under test has no 18.0
    // sibling (a real Odoo 17 built here), the test names it so for the run.
    const image18 = image.replace("17.0", "18.0");
    const tagged = spawnSync("docker", ["image", "inspect", image18]).status !== 0;
    if (tagged) execFileSync("docker", ["tag", image, image18]);
    try {
      await changeSettings({ useDefault: false, installMode: "full", testsEnabled: true, testTags: "", odooVersion: "18.0" });
      const b = await nextBuild(4);
      expect(b.install).toMatch(/ -i green_addon,warning_addon --stop-after-init$/);
      expect(b.image).toBe(image18);
    } finally {
      if (tagged) execFileSync("docker", ["rmi", image18]);
    }
  }, 240_000);

  it("Use Default brings back my modules with the test suite; do nothing starts no build on a push", async () => {
    await changeSettings({ useDefault: true, odooVersion: "" });
    const b = await nextBuild(5);
    expect(b.install).toMatch(/ -i green_addon,warning_addon --test-enable --test-tags \/green_addon,\/warning_addon --stop-after-init$/);
    expect(b.image).toBe(image);
    await changeSettings({ pushBehavior: "do_nothing" });
    await expect(h.pushAndBuild("feature", { ...files, "README.md": "push 6\n" })).rejects.toThrow(/no build queued/);
  }, 240_000);
});
