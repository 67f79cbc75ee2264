import { describe, expect, it } from "vitest";
import {
  buildTransitions,
  canTransition,
  decideFollowUp,
  decideNewCommit,
  decidePolledHead,
  serverWorkers,
  transitionSources,
} from "./lifecycle";
import { buildStates, finalStates, inProgressStates } from "./states";

describe("build transitions", () => {
  it("starts queued, moves through the step states in any order, and ends running, failed or cancelled", () => {
    expect(canTransition("queued", "fetching")).toBe(true);
    expect(canTransition("fetching", "installing_dependencies")).toBe(true);
    expect(canTransition("starting", "fetching")).toBe(true);
    for (const from of inProgressStates) {
      expect(canTransition(from, "running")).toBe(true);
      expect(canTransition(from, "failed")).toBe(true);
      expect(canTransition(from, "cancelled")).toBe(true);
      expect(canTransition(from, "stopped")).toBe(false);
      expect(canTransition(from, "queued")).toBe(false);
    }
  });

  it("only stops a running build, and never leaves stopped, failed or cancelled", () => {
    expect(buildTransitions.running).toEqual(["stopped"]);
    expect(transitionSources("stopped")).toEqual(["running"]);
    for (const end of ["stopped", "failed", "cancelled"] as const) for (const to of buildStates) expect(canTransition(end, to)).toBe(false);
  });

  it("reaches a final state only from a build in progress (running: stopped only)", () => {
    expect(transitionSources("failed")).toEqual([...inProgressStates]);
    expect(transitionSources("cancelled")).toEqual([...inProgressStates]);
    expect(transitionSources("queued")).toEqual([]);
    expect(finalStates).toContain("running");
  });
});

describe("decideNewCommit", () => {
  it("builds nothing for 'do nothing'", () => {
    expect(decideNewCommit({ stage: "staging", pushBehavior: "do_nothing" })).toEqual({ build: false, takeOverPrevious: false });
    expect(decideNewCommit({ stage: "development", pushBehavior: "do_nothing" })).toEqual({ build: false, takeOverPrevious: false });
  });

  it("queues a new build otherwise, taking over the previous database only for staging 'update previous'", () => {
    expect(decideNewCommit({ stage: "staging", pushBehavior: "update_previous" })).toEqual({ build: true, takeOverPrevious: true });
    expect(decideNewCommit({ stage: "development", pushBehavior: "update_previous" })).toEqual({ build: true, takeOverPrevious: false });
    expect(decideNewCommit({ stage: "staging", pushBehavior: "new_build" })).toEqual({ build: true, takeOverPrevious: false });
    expect(decideNewCommit({ stage: "production", pushBehavior: "new_build" })).toEqual({ build: true, takeOverPrevious: false });
  });
});

describe("serverWorkers", () => {
  it("runs production prefork with two HTTP workers, the other stages threaded", () => {
    expect(serverWorkers("production")).toBe(2);
    expect(serverWorkers("staging")).toBe(0);
    expect(serverWorkers("development")).toBe(0);
  });
});

describe("decidePolledHead", () => {
  const head = "a".repeat(40);
  const branch = { headRevision: head, archivedAt: null, stage: "development" as const, pushBehavior: "new_build" as const, built: true };
  it("records a new, moved or archived branch's head like a push", () => {
    expect(decidePolledHead(undefined, head)).toBe("record_push");
    expect(decidePolledHead({ ...branch, headRevision: "b".repeat(40) }, head)).toBe("record_push");
    expect(decidePolledHead({ ...branch, headRevision: null }, head)).toBe("record_push");
    expect(decidePolledHead({ ...branch, archivedAt: new Date() }, head)).toBe("record_push");
  });
  it("builds an unchanged head only when the branch was never built and its push behaviour builds", () => {
    expect(decidePolledHead(branch, head)).toBe("nothing");
    expect(decidePolledHead({ ...branch, built: false }, head)).toBe("build_head");
    expect(decidePolledHead({ ...branch, built: false, stage: "staging", pushBehavior: "update_previous" }, head)).toBe("build_head");
    expect(decidePolledHead({ ...branch, built: false, stage: "staging", pushBehavior: "do_nothing" }, head)).toBe("nothing");
  });
});

describe("decideFollowUp", () => {
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  const branch = { stage: "development" as const, pushBehavior: "new_build" as const, headRevision: a, archivedAt: null };
  it("builds the head that moved while the build ran, per push behaviour", () => {
    expect(decideFollowUp(branch, { revision: a, stage: "development" })).toBe("none");
    expect(decideFollowUp({ ...branch, headRevision: b }, { revision: a, stage: "development" })).toBe("head_moved");
    expect(
      decideFollowUp({ ...branch, headRevision: b, stage: "staging", pushBehavior: "do_nothing" }, { revision: a, stage: "staging" }),
    ).toBe("none");
  });
  it("builds the new stage's build of a branch moved to staging or production while it ran, even of the same head", () => {
    expect(decideFollowUp({ ...branch, stage: "production" }, { revision: a, stage: "development" })).toBe("stage_moved");
    expect(decideFollowUp({ ...branch, stage: "staging", pushBehavior: "do_nothing" }, { revision: a, stage: "development" })).toBe(
      "stage_moved",
    );
    expect(decideFollowUp({ ...branch, pushBehavior: "do_nothing" }, { revision: a, stage: "staging" })).toBe("none");
    expect(decideFollowUp({ ...branch, stage: "production", archivedAt: new Date() }, { revision: a, stage: "development" })).toBe("none");
  });
});
