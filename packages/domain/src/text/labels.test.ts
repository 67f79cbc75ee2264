import { describe, expect, it } from "vitest";
import { eventLabel, formatTimestamp, humanize, stepActivity, stepLabel } from "./labels";

describe("labels", () => {
  it("names every step of the pipelines as a sentence, never as its id", () => {
    for (const id of ["plan", "backup", "snapshot", "update", "copy", "neutralize", "fetch", "install", "route", "maintenance"]) {
      expect(stepLabel(id)).not.toBe(id);
      expect(stepLabel(id)).toMatch(/^[A-Z][a-z]+ /);
    }
    expect(stepLabel("snapshot")).toBe("Take a snapshot of the database");
    expect(stepActivity("snapshot")).toBe("Taking a snapshot");
    expect(stepActivity("install")).toBeNull();
    expect(stepLabel("some_new_step")).toBe("Some new step");
  });

  it("names history events in words", () => {
    expect(eventLabel("backup.restored")).toBe("Backup restored");
    expect(eventLabel("branch.stage_move")).toBe("Stage changed");
    expect(eventLabel("project.renamed")).toBe("Project renamed");
    expect(humanize("")).toBe("");
  });

  it("formats timestamps one way, from a Date or an ISO string", () => {
    const at = new Date("2026-12-05T04:31:07.123Z");
    expect(formatTimestamp(at)).toBe("2026-12-05 04:31:07 UTC");
    expect(formatTimestamp(at.toISOString())).toBe("2026-12-05 04:31:07 UTC");
    expect(formatTimestamp(null)).toBe("—");
    expect(formatTimestamp("not a date")).toBe("not a date");
  });
});
