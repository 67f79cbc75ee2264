import { describe, expect, it } from "vitest";
import { isDomainError } from "../errors";
import { assertCanCancel, assertCanRebuild, developmentSteps, isInProgress } from "./index";

describe("build states", () => {
  it("refuses a rebuild while one is in progress, allows it otherwise", () => {
    expect(() => assertCanRebuild(["running", "testing"])).toThrow(/already in progress/);
    expect(() => assertCanRebuild(["running", "failed", "stopped"])).not.toThrow();
    expect(isInProgress("queued")).toBe(true);
    expect(isInProgress("running")).toBe(false);
  });

  it("only cancels builds in progress", () => {
    expect(() => assertCanCancel("testing")).not.toThrow();
    let err: unknown;
    try {
      assertCanCancel("running");
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err, "invalid_state")).toBe(true);
  });
});

describe("development steps", () => {
  it("shows Testing while installing with tests, and Installing modules for a full install", () => {
    const withTests = developmentSteps({ installMode: "own_modules", testsEnabled: true });
    expect(withTests.map((s) => s.name)).toEqual(["fetch", "discover", "dependencies", "create_database", "install", "start", "route"]);
    expect(withTests.find((s) => s.name === "install")?.state).toBe("testing");
    expect(developmentSteps({ installMode: "full", testsEnabled: true }).find((s) => s.name === "install")?.state).toBe(
      "installing_modules",
    );
  });
});
