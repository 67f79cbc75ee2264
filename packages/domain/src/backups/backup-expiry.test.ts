import { describe, expect, it } from "vitest";
import { backupExpiresAt } from "./backup-expiry";

describe("backupExpiresAt", () => {
  const takenAt = new Date("2026-03-01T02:00:00Z");

  it("has no expiry for automatic daily backups", () => {
    expect(backupExpiresAt("daily", takenAt)).toBeNull();
  });

  it("adds the kind's age limit in days of 24 h", () => {
    expect(backupExpiresAt("manual", takenAt)?.toISOString()).toBe("2026-03-08T02:00:00.000Z");
    expect(backupExpiresAt("update", takenAt)?.toISOString()).toBe("2026-03-31T02:00:00.000Z");
    expect(
      backupExpiresAt("safety", takenAt, {
        daily: 7,
        weekly: 4,
        monthly: 3,
        manualDays: 7,
        updateDays: 30,
        safetyDays: 2,
        importDays: 30,
      })?.toISOString(),
    ).toBe("2026-03-03T02:00:00.000Z");
  });
});
