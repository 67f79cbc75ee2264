import { describe, expect, it } from "vitest";
import type { Stage } from "../builds";
import { DomainError } from "../errors";
import { planStageMove, stageMoveStartsBuild } from "./plan-stage-move";

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

const branch = (name: string, stage: Stage) => ({ name, stage });

describe("planStageMove", () => {
  it("moves development to staging", () => {
    expect(planStageMove({ branch: branch("feat", "development"), target: "staging", productionBranch: "main" })).toEqual({
      kind: "move",
      branch: "feat",
      from: "development",
      to: "staging",
    });
  });

  it("refuses development to production while a production branch exists, explaining merge or move", () => {
    const error = refusal(() => planStageMove({ branch: branch("feat", "development"), target: "production", productionBranch: "main" }));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("exactly one production branch");
    expect(error.message).toContain('merge it into "main"');
    expect(error.message).toContain('move "main" to Development');
    expect(error.details).toMatchObject({ branch: "feat", productionBranch: "main" });
  });

  it("allows development to production when the project has no production branch", () => {
    expect(planStageMove({ branch: branch("main", "development"), target: "production", productionBranch: null })).toEqual({
      kind: "move",
      branch: "main",
      from: "development",
      to: "production",
    });
  });

  it("moves staging to development with push behaviour 'do nothing'", () => {
    const plan = planStageMove({ branch: branch("uat", "staging"), target: "development", productionBranch: "main" });
    expect(plan).toEqual({ kind: "move", branch: "uat", from: "staging", to: "development", pushBehavior: "do_nothing" });
  });

  it("refuses staging to production and says to merge instead", () => {
    const error = refusal(() => planStageMove({ branch: branch("uat", "staging"), target: "production", productionBranch: "main" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/cannot become the production branch/);
    expect(error.message).toContain('merge it into "main"');
    // also refused when there is no production branch: staging never becomes production by a move
    const without = refusal(() => planStageMove({ branch: branch("uat", "staging"), target: "production", productionBranch: null }));
    expect(without.message).toContain("the production branch");
  });

  it("moves production to development only", () => {
    expect(planStageMove({ branch: branch("main", "production"), target: "development", productionBranch: "main" })).toEqual({
      kind: "move",
      branch: "main",
      from: "production",
      to: "development",
    });
    const error = refusal(() => planStageMove({ branch: branch("main", "production"), target: "staging", productionBranch: "main" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("only be moved to Development");
    expect(error.message).toContain("merge");
  });

  it("refuses a same-stage move as invalid input", () => {
    for (const stage of ["production", "staging", "development"] as const) {
      const error = refusal(() =>
        planStageMove({ branch: branch("x", stage), target: stage, productionBranch: stage === "production" ? "x" : null }),
      );
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("already in");
    }
  });

  it("answers every pair of stages (3 allowed moves plus a conditional one, everything else refused)", () => {
    const stages: Stage[] = ["production", "staging", "development"];
    const outcome: string[] = [];
    for (const from of stages)
      for (const to of stages)
        for (const productionBranch of ["main", null]) {
          try {
            const plan = planStageMove({ branch: branch(from === "production" ? "main" : "b", from), target: to, productionBranch });
            outcome.push(`${from}->${to}@${productionBranch ?? "none"}:${plan.pushBehavior ?? "move"}`);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
          }
        }
    expect(outcome.sort()).toEqual(
      [
        "development->staging@main:move",
        "development->staging@none:move",
        "development->production@none:move",
        "staging->development@main:do_nothing",
        "staging->development@none:do_nothing",
        "production->development@main:move",
        "production->development@none:move",
      ].sort(),
    );
  });
});

describe("stageMoveStartsBuild", () => {
  it("starts a build of the new stage for staging and production, none for development", () => {
    expect(
      stageMoveStartsBuild(planStageMove({ branch: { name: "f", stage: "development" }, target: "staging", productionBranch: "main" })),
    ).toBe(true);
    expect(
      stageMoveStartsBuild(planStageMove({ branch: { name: "f", stage: "development" }, target: "production", productionBranch: null })),
    ).toBe(true);
    expect(
      stageMoveStartsBuild(planStageMove({ branch: { name: "u", stage: "staging" }, target: "development", productionBranch: "main" })),
    ).toBe(false);
    expect(
      stageMoveStartsBuild(planStageMove({ branch: { name: "m", stage: "production" }, target: "development", productionBranch: "m" })),
    ).toBe(false);
  });
});
