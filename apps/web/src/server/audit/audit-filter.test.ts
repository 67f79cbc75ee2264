import { describe, expect, it } from "vitest";
import { parseAuditFilter } from "./audit-filter";

describe("parseAuditFilter", () => {
  it("reads action, actor and an inclusive day range", () => {
    const f = parseAuditFilter({ action: "collaborator.add", actor: " dana ", from: "2026-01-02", to: "2026-01-02" });
    expect(f).toMatchObject({ action: "collaborator.add", actor: "dana" });
    expect(f.from?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(f.to?.toISOString()).toBe("2026-01-03T00:00:00.000Z");
  });

  it("ignores empty values and refuses malformed or reversed dates", () => {
    expect(parseAuditFilter({ action: "", actor: undefined })).toEqual({
      fromText: undefined,
      toText: undefined,
      action: undefined,
      actor: undefined,
    });
    expect(parseAuditFilter({ from: "02/01/2026" }).error).toMatch(/Dates must look like/);
    expect(parseAuditFilter({ from: "2026-02-01", to: "2026-01-01" })).toMatchObject({
      from: undefined,
      to: undefined,
      error: expect.stringMatching(/after/),
    });
    expect(parseAuditFilter({ action: "x'; drop" }).action).toBeUndefined();
  });
});
