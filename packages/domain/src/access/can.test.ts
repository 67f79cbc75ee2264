import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { assertCan, can, type AccessQuery } from "./can";

const developer = { kind: "collaborator", role: "developer" } as const;
const tester = { kind: "collaborator", role: "tester" } as const;
const admin = { kind: "collaborator", role: "admin" } as const;
const anonymous = { kind: "anonymous" } as const;
const superuser = { kind: "superuser" } as const;

function forbidden(query: AccessQuery): DomainError {
  try {
    assertCan(query);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected assertCan to refuse");
}

describe("can", () => {
  it("answers the characteristic cells of the matrix", () => {
    expect(can({ actor: developer, publicAccess: false, stage: "development", tool: "shell" })).toBe(true);
    expect(can({ actor: developer, publicAccess: false, stage: "staging", tool: "connect" })).toBe(true);
    expect(can({ actor: developer, publicAccess: false, stage: "staging", tool: "logs" })).toBe(false);
    expect(can({ actor: tester, publicAccess: false, stage: "staging", tool: "shell" })).toBe(true);
    expect(can({ actor: tester, publicAccess: false, stage: "production", tool: "logs" })).toBe(false);
    expect(can({ actor: admin, publicAccess: false, stage: "production", tool: "backups" })).toBe(true);
    expect(can({ actor: superuser, publicAccess: false, stage: "production", tool: "shell" })).toBe(true);
  });

  it("keeps project settings, audit log and collaborators to admins", () => {
    for (const action of ["project_settings", "audit_log", "manage_collaborators"] as const) {
      expect(can({ actor: admin, publicAccess: true, action })).toBe(true);
      expect(can({ actor: superuser, publicAccess: false, action })).toBe(true);
      expect(can({ actor: tester, publicAccess: true, action })).toBe(false);
      expect(can({ actor: developer, publicAccess: true, action })).toBe(false);
      expect(can({ actor: anonymous, publicAccess: true, action })).toBe(false);
    }
    expect(can({ actor: developer, publicAccess: false, action: "view_project" })).toBe(true);
  });

  it("opens development builds to visitors only when public access is on", () => {
    expect(can({ actor: anonymous, publicAccess: true, stage: "development", tool: "connect" })).toBe(true);
    expect(can({ actor: anonymous, publicAccess: false, stage: "development", tool: "connect" })).toBe(false);
    expect(can({ actor: anonymous, publicAccess: true, stage: "staging", tool: "connect" })).toBe(false);
    expect(can({ actor: anonymous, publicAccess: true, stage: "production", tool: "status" })).toBe(true);
    expect(can({ actor: anonymous, publicAccess: false, action: "view_project" })).toBe(false);
  });

  it("rejects malformed queries instead of guessing", () => {
    const bad = { actor: admin, publicAccess: false, stage: "qa", tool: "shell" } as unknown as AccessQuery;
    expect(() => can(bad)).toThrow(/Unknown stage or tool/);
    const badAction = { actor: admin, publicAccess: false, action: "delete_everything" } as unknown as AccessQuery;
    expect(() => can(badAction)).toThrow(/Unknown project action/);
  });
});

describe("assertCan", () => {
  it("passes silently when allowed", () => {
    expect(() => assertCan({ actor: tester, publicAccess: false, stage: "staging", tool: "logs" })).not.toThrow();
  });

  it("names the role and the tool when a collaborator is refused", () => {
    const error = forbidden({ actor: developer, publicAccess: false, stage: "staging", tool: "logs" });
    expect(error.code).toBe("forbidden");
    expect(error.message).toBe("Your role (developer) does not give access to Logs on staging builds.");
    expect(error.details).toMatchObject({ actor: "developer", stage: "staging", tool: "logs" });
    expect(forbidden({ actor: tester, publicAccess: false, action: "audit_log" }).message).toBe(
      "Your role (tester) does not give access to the audit log.",
    );
  });

  it("tells visitors to sign in, and whether the project is public", () => {
    expect(forbidden({ actor: anonymous, publicAccess: false, stage: "development", tool: "logs" }).message).toMatch(/not public; sign in/);
    expect(forbidden({ actor: anonymous, publicAccess: true, stage: "staging", tool: "logs" }).message).toBe(
      "Visitors cannot access Logs on staging builds; sign in as a collaborator of this project.",
    );
  });

  it("explains cells nobody has, even for the superuser", () => {
    expect(forbidden({ actor: superuser, publicAccess: false, stage: "development", tool: "backups" }).message).toBe(
      "Backups on development builds is not available to anyone.",
    );
  });
});
