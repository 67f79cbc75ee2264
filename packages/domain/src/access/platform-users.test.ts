import { describe, expect, it } from "vitest";
import { assertMayManageUsers, mayManageUsers } from "./platform-users";

describe("user management", () => {
  it("is for superusers only", () => {
    expect(mayManageUsers({ isSuperuser: true })).toBe(true);
    expect(mayManageUsers({ isSuperuser: false })).toBe(false);
    expect(mayManageUsers(null)).toBe(false);
    expect(() => assertMayManageUsers({ isSuperuser: true })).not.toThrow();
    expect(() => assertMayManageUsers({ isSuperuser: false })).toThrow("Only platform administrators (superusers) may manage users.");
    expect(() => assertMayManageUsers(null)).toThrow("Sign in first.");
  });
});
