import { describe, expect, it } from "vitest";
import type { Stage } from "../builds";
import { DomainError } from "../errors";
import { planDrop } from "./plan-drop";

const b = (name: string, stage: Stage) => ({ name, stage });

describe("planDrop", () => {
  it("merges the dropped branch into the branch it is dropped onto", () => {
    expect(planDrop({ source: b("feat", "development"), target: b("uat", "staging") })).toEqual({
      kind: "merge",
      from: "feat",
      into: "uat",
    });
    expect(planDrop({ source: b("uat", "staging"), target: b("main", "production") })).toEqual({
      kind: "merge",
      from: "uat",
      into: "main",
    });
  });

  it("treats dropping production onto staging as a merge of production into that staging branch", () => {
    expect(planDrop({ source: b("main", "production"), target: b("uat", "staging") })).toEqual({
      kind: "merge",
      from: "main",
      into: "uat",
    });
  });

  it("allows development into development and staging into staging", () => {
    expect(planDrop({ source: b("a", "development"), target: b("b", "development") }).into).toBe("b");
    expect(planDrop({ source: b("s1", "staging"), target: b("s2", "staging") }).from).toBe("s1");
  });

  it("warns, without refusing, when development is merged straight into production", () => {
    const plan = planDrop({ source: b("feat", "development"), target: b("main", "production") });
    expect(plan).toMatchObject({ kind: "merge", from: "feat", into: "main" });
    expect(plan.warning).toContain("production data");
    expect(planDrop({ source: b("uat", "staging"), target: b("main", "production") }).warning).toBeUndefined();
  });

  it("refuses dropping a branch onto itself", () => {
    expect(() => planDrop({ source: b("feat", "development"), target: b("feat", "development") })).toThrow(DomainError);
    let caught: unknown;
    try {
      planDrop({ source: b("main", "production"), target: b("main", "production") });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe("invalid_input");
    expect((caught as DomainError).message).toContain("cannot be merged into itself");
  });
});
