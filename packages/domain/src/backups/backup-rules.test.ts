import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { assertBackupAllowed, assertManualBackupAllowed, backupKindsFor, manualBackupsOnDay } from "./backup-rules";

function error(run: () => void): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a DomainError");
}

describe("assertManualBackupAllowed", () => {
  it("allows up to 5 manual backups per branch per day", () => {
    for (const existingToday of [0, 1, 2, 3, 4]) expect(() => assertManualBackupAllowed({ existingToday })).not.toThrow();
  });

  it("refuses the sixth with a clear message", () => {
    const e = error(() => assertManualBackupAllowed({ existingToday: 5 }));
    expect(e.code).toBe("conflict");
    expect(e.message).toBe("This branch already has 5 manual backups today; at most 5 are allowed per day. Try again tomorrow.");
    expect(error(() => assertManualBackupAllowed({ existingToday: 9 })).code).toBe("conflict");
  });

  it("refuses nonsense counts", () => {
    expect(error(() => assertManualBackupAllowed({ existingToday: -1 })).code).toBe("invalid_input");
    expect(error(() => assertManualBackupAllowed({ existingToday: 1.5 })).code).toBe("invalid_input");
  });

  it("applies the stage rule when the stage is given", () => {
    expect(() => assertManualBackupAllowed({ existingToday: 0, stage: "staging" })).not.toThrow();
    expect(() => assertManualBackupAllowed({ existingToday: 0, stage: "production" })).not.toThrow();
    expect(error(() => assertManualBackupAllowed({ existingToday: 0, stage: "development" })).message).toMatch(
      /Development branches have no backups/,
    );
  });
});

describe("backups per stage", () => {
  it("backs production up automatically, staging only on demand, development never", () => {
    expect(backupKindsFor("production")).toEqual(["daily", "manual", "update", "safety", "import"]);
    expect(backupKindsFor("staging")).toEqual(["manual", "safety", "import"]);
    expect(backupKindsFor("development")).toEqual([]);
  });

  it("explains refusals", () => {
    expect(error(() => assertBackupAllowed({ stage: "staging", kind: "daily" })).message).toMatch(
      /Only the production branch is backed up automatically/,
    );
    expect(error(() => assertBackupAllowed({ stage: "staging", kind: "update" })).message).toBe("Update backups are for production only.");
    for (const kind of ["daily", "manual", "update", "safety", "import"] as const) {
      const e = error(() => assertBackupAllowed({ stage: "development", kind }));
      expect(e.code).toBe("invalid_input");
    }
    expect(() => assertBackupAllowed({ stage: "production", kind: "update" })).not.toThrow();
  });
});

describe("manualBackupsOnDay", () => {
  it("counts the backups of now's calendar day in the settings' time zone", () => {
    const now = new Date("2026-03-10T23:30:00Z");
    const times = [new Date("2026-03-10T00:30:00Z"), new Date("2026-03-10T22:00:00Z"), new Date("2026-03-09T23:59:00Z")];
    expect(manualBackupsOnDay(times, { now, timeZone: "UTC" })).toBe(2);
    // In Paris (UTC+1) it is already 11 March, 00:30: all three were taken on the 10th there.
    expect(manualBackupsOnDay(times, { now, timeZone: "Europe/Paris" })).toBe(0);
  });
});
