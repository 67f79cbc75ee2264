import { describe, expect, it } from "vitest";
import { branchChangeTarget } from "./branch-changes";
import { can } from "./can";

const developer = { kind: "collaborator", role: "developer" } as const;
const tester = { kind: "collaborator", role: "tester" } as const;
const admin = { kind: "collaborator", role: "admin" } as const;

describe("branchChangeTarget", () => {
  it("gates by the most exposed stage involved", () => {
    expect(branchChangeTarget(["development"])).toEqual({ stage: "development", tool: "settings" });
    expect(branchChangeTarget(["development", "staging"])).toEqual({ stage: "staging", tool: "settings" });
    expect(branchChangeTarget(["staging", "production"])).toEqual({ stage: "production", tool: "settings" });
    expect(branchChangeTarget(["development", "production"])).toEqual({ stage: "production", tool: "settings" });
    expect(() => branchChangeTarget([])).toThrow(/at least one stage/);
  });

  it("lets developers change development only, testers staging too, admins everything", () => {
    const allowed = (actor: typeof developer | typeof tester | typeof admin, stages: ("production" | "staging" | "development")[]) =>
      can({ actor, publicAccess: true, ...branchChangeTarget(stages) });
    expect(allowed(developer, ["development"])).toBe(true);
    expect(allowed(developer, ["development", "staging"])).toBe(false);
    expect(allowed(tester, ["development", "staging"])).toBe(true);
    expect(allowed(tester, ["staging", "production"])).toBe(false);
    expect(allowed(admin, ["staging", "production"])).toBe(true);
  });
});
