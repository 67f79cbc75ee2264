import { describe, expect, it } from "vitest";
import { assertKeepsAnAdmin } from "./collaborators";

const team = [
  { id: "a1", role: "admin" as const },
  { id: "d1", role: "developer" as const },
];

describe("assertKeepsAnAdmin", () => {
  it("refuses to remove or demote the last admin, with a message saying what to do", () => {
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "a1", role: null })).toThrow(
      /last admin: make another collaborator admin before removing/,
    );
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "a1", role: "tester" })).toThrow(/last admin.*changing this role/);
  });

  it("allows it once another admin exists, and any change to non-admins", () => {
    const two = [...team, { id: "a2", role: "admin" as const }];
    expect(() => assertKeepsAnAdmin({ team: two, collaboratorId: "a1", role: null })).not.toThrow();
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "d1", role: null })).not.toThrow();
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "d1", role: "admin" })).not.toThrow();
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "a1", role: "admin" })).not.toThrow();
  });

  it("reports a collaborator who is gone as not found", () => {
    expect(() => assertKeepsAnAdmin({ team, collaboratorId: "zz", role: null })).toThrow(expect.objectContaining({ code: "not_found" }));
  });
});
