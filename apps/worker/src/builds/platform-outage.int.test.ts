// Issue 12 ("Left to do" of the fault suite): a build that fails because the platform is down is
// not red. Here the worker's Docker engine is a socket nothing listens on — what the worker sees
// while dockerd restarts — so every container step of the build fails. The build is left in
// progress with an "interrupted" event (old: red with "internal error"), and the next run, with
// the engine back, resumes it to green. Next to it, the control: with the engine answering, the
// probe finds no outage and a failing commit is still red.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "@slipway/db";
import { connectDocker } from "@slipway/docker";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { platformOutage } from "./platform-outage";
import { runBuild } from "./run-build";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const tmp = mkdtempSync(path.join(tmpdir(), "slipway-outage-"));
let h: PipelineHarness;

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "outg", image, env: process.env });
}, 300_000);

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("a build during a platform outage", () => {
  it("is left in progress while the engine is unreachable, then resumes to green; with the engine up a failing commit stays red", async () => {
    const down = { ...h.deps, docker: connectDocker({ socketPath: path.join(tmp, "docker.sock") }) };
    expect(await platformOutage(down)).toMatch(/Docker engine is unreachable/);
    expect(await platformOutage(h.deps)).toBeNull();

    await h.prisma.branch.create({ data: { projectId: h.projectId, name: "feature", stage: "development" } });
    const revision = h.repo.push("feature", fixtureAddon("green_addon"));
    const pushed = await recordPush(h.prisma, { projectId: h.projectId, branch: "feature", revision });
    if (pushed.kind !== "recorded" || !pushed.build) throw new Error("no build queued");
    const id = pushed.build.id;

    await runBuild(down, { buildId: id, signal: new AbortController().signal });
    const during = await h.prisma.build.findUniqueOrThrow({ where: { id } });
    expect({ state: during.state, result: during.result, reason: during.failureReason }).toMatchObject({ result: null, reason: null });
    expect(["running", "stopped", "failed", "cancelled"]).not.toContain(during.state);
    expect(during.inProgressSlot).not.toBeNull();
    const interrupted = await h.prisma.event.findFirst({ where: { buildId: id, kind: "build.interrupted" } });
    expect(interrupted?.message).toMatch(/platform outage \(the Docker engine is unreachable/);

    // The engine is back: the reconciliation's next run of the job resumes the build.
    await runBuild(h.deps, { buildId: id, signal: new AbortController().signal });
    const after = await h.prisma.build.findUniqueOrThrow({ where: { id } });
    expect({ state: after.state, result: after.result, reason: after.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect(await h.prisma.event.count({ where: { buildId: id, kind: "build.resumed" } })).toBe(1);
    expect((await h.get(after.hostname!, "/web/health")).status).toBe(200);

    // Control: the platform answers, so a commit that fails is red as before.
    const red = await h.pushAndBuild("feature", fixtureAddon("broken_xml_addon"));
    expect({ state: red.state, result: red.result }).toEqual({ state: "failed", result: "red" });
    expect(red.failureReason).not.toMatch(/outage|internal error/);
  }, 600_000);
});
