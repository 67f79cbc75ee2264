import { DomainError, type BuildState, type RunClassification } from "@slipway/domain";
import { describe, expect, it } from "vitest";
import { pipelineOutcome, type PlannedStep } from "./pipeline";
import { storedStepDetail } from "./step-details";
import { BuildStopped, StepFailure } from "./step-failure";
import { createStepRunner, type StepRecorder } from "./step-runner";

const plan: PlannedStep[] = [
  { name: "fetch", state: "fetching" },
  { name: "create_database", state: "creating_database", logFile: "install.log" },
  { name: "start", state: "starting" },
];

const green: RunClassification = {
  status: "green",
  reasons: [],
  offending: [],
  counts: { warning: 0, error: 0, critical: 0, traceback: 0 },
};
const red: RunClassification = {
  status: "red",
  reasons: ["module x failed"],
  offending: [{ level: "ERROR", line: 3, run: "install", text: "boom" }],
  counts: { warning: 0, error: 1, critical: 0, traceback: 0 },
};

function fakeRecorder(completed: [string, unknown][] = []) {
  const calls: string[] = [];
  const details = new Map<string, unknown>();
  const recorder: StepRecorder = {
    async setState(state: BuildState) {
      calls.push(`state ${state}`);
      return true;
    },
    async stepStarted(name) {
      calls.push(`started ${name}`);
    },
    async stepFinished(name, outcome) {
      calls.push(`finished ${name} ${outcome.ok ? "ok" : `failed: ${outcome.error}`}`);
      if (outcome.ok) details.set(name, outcome.detail);
    },
    async stepSkipped(name, _position, reason) {
      calls.push(`skipped ${name}: ${reason}`);
    },
    async completedSteps() {
      return new Map(completed);
    },
  };
  return { recorder, calls, details };
}

const noCheckpoint = async () => undefined;

describe("step runner", () => {
  it("records a step whose run came back red as failed with its reasons, returns its detail and goes on (not reused on resume)", async () => {
    const { recorder, calls, details } = fakeRecorder();
    const runner = await createStepRunner({ recorder, checkpoint: noCheckpoint, plan });
    const detail = await runner.step("create_database", async () => ({ classification: red, durationMs: 7 }));
    expect(detail.durationMs).toBe(7);
    expect(calls).toContain("finished create_database failed: module x failed");
    expect(details.has("create_database")).toBe(false);
    expect(runner.completed("create_database")).toBe(false);
    expect(runner.classifications.map((c) => c.status)).toEqual(["red"]);
    await runner.step("start", async () => ({ containerId: "c", ip: "10.0.0.2", classification: green }), false);
    expect(calls).toContain("finished start ok");
  });

  it("records a step's typed detail and collects the classification of its Odoo run", async () => {
    const { recorder, calls, details } = fakeRecorder();
    const runner = await createStepRunner({ recorder, checkpoint: noCheckpoint, plan });
    const detail = await runner.step("create_database", async () => ({ classification: green, durationMs: 5 }));
    expect(detail.durationMs).toBe(5);
    expect(details.get("create_database")).toEqual({ classification: green, durationMs: 5 });
    expect(calls).toEqual(["state creating_database", "started create_database", "finished create_database ok"]);
    expect(runner.classifications).toEqual([green]);
    expect(runner.completed("create_database")).toBe(true);
  });

  it("reuses the detail an earlier attempt recorded, unless told not to or forgotten", async () => {
    const { recorder, calls } = fakeRecorder([["fetch", { revision: "abc", subject: "s", submodules: [] }]]);
    const runner = await createStepRunner({ recorder, checkpoint: noCheckpoint, plan });
    let runs = 0;
    const fetch = async () => {
      runs++;
      return { revision: "def", subject: "t", submodules: [] };
    };
    expect((await runner.step("fetch", fetch)).revision).toBe("abc");
    expect(runs).toBe(0);
    expect((await runner.step("fetch", fetch, false)).revision).toBe("def");
    runner.forget("fetch");
    expect(runner.completed("fetch")).toBe(false);
    expect(calls.filter((c) => c.startsWith("started"))).toEqual(["started fetch"]);
  });

  it("records a thrown StepFailure and throws it on; any other error fails the step with its message", async () => {
    const { recorder, calls } = fakeRecorder();
    const runner = await createStepRunner({ recorder, checkpoint: noCheckpoint, plan });
    const failure = StepFailure.fromRun("create_database", red);
    await expect(
      runner.step("create_database", async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(failure.offending).toEqual([{ ...red.offending[0], step: "create_database" }]);
    await expect(
      runner.step("start", async () => {
        throw new Error("no address");
      }),
    ).rejects.toMatchObject({ reason: "no address", offending: [] });
    expect(calls).toContain("finished create_database failed: module x failed");
    expect(calls).toContain("finished start failed: no address");
  });

  it("a build stopped before a step (the checkpoint): the step never runs and its row is left skipped, not running", async () => {
    const { recorder, calls } = fakeRecorder();
    let stop: BuildStopped | null = null;
    const runner = await createStepRunner({
      recorder,
      checkpoint: async () => {
        if (stop) throw stop;
      },
      plan,
    });
    await runner.step("fetch", async () => ({ revision: "abc", subject: "s", submodules: [] }));
    stop = new BuildStopped("cancelled");
    let ran = false;
    await expect(
      runner.step("create_database", async () => {
        ran = true;
        return { classification: green, durationMs: 1 };
      }),
    ).rejects.toBe(stop);
    expect(ran).toBe(false);
    const mine = calls.filter((c) => c.includes("create_database"));
    expect(mine.at(-1)).toBe("skipped create_database: not run: the build was cancelled");
    expect(calls.some((c) => c.startsWith("finished create_database"))).toBe(false);
    // A reused step is not returned to a stopped build either.
    const reuse = await createStepRunner({
      recorder: fakeRecorder([["fetch", { revision: "abc", subject: "s", submodules: [] }]]).recorder,
      checkpoint: async () => {
        throw new BuildStopped("shutdown");
      },
      plan,
    });
    await expect(reuse.step("fetch", async () => ({ revision: "def", subject: "s", submodules: [] }))).rejects.toBeInstanceOf(BuildStopped);
  });

  it("lets BuildStopped through without finishing the step", async () => {
    const { recorder, calls } = fakeRecorder();
    const runner = await createStepRunner({ recorder, checkpoint: noCheckpoint, plan });
    await expect(
      runner.step("start", async () => {
        throw new BuildStopped("cancelled");
      }),
    ).rejects.toBeInstanceOf(BuildStopped);
    expect(calls.some((c) => c.startsWith("finished"))).toBe(false);
  });
});

describe("pipelineOutcome", () => {
  it("turns a StepFailure or a domain refusal into a red outcome and lets programming errors through", async () => {
    expect(await pipelineOutcome(async () => green)).toEqual({ ok: true, classification: green });
    expect(
      await pipelineOutcome(async () => {
        throw new StepFailure("refused", []);
      }),
    ).toEqual({ ok: false, reason: "refused", offending: [] });
    expect(
      await pipelineOutcome(async () => {
        throw new DomainError("invalid_state", "not an Odoo database");
      }),
    ).toEqual({ ok: false, reason: "not an Odoo database", offending: [] });
    await expect(
      pipelineOutcome(async () => {
        throw new TypeError("bug");
      }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

describe("storedStepDetail", () => {
  it("reads back what a step recorded; nothing recorded is null", () => {
    expect(storedStepDetail("plan", { mode: "first" })).toEqual({ mode: "first" });
    expect(storedStepDetail("plan", null)).toBeNull();
    expect(() => storedStepDetail("plan", "first")).toThrow(/not an object/);
  });
});
