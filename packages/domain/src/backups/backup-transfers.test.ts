import { describe, expect, it } from "vitest";
import { exportKeys, isUploadName, uploadKeys } from "./backup-transfers";

describe("backup transfer files", () => {
  it("names an upload's files inside uploads/ and refuses any other name", () => {
    expect(uploadKeys("u-0123456789abcdef01234567")).toEqual({
      data: "uploads/u-0123456789abcdef01234567",
      partial: "uploads/u-0123456789abcdef01234567.part",
      meta: "uploads/u-0123456789abcdef01234567.meta.json",
      check: "uploads/u-0123456789abcdef01234567.check.json",
    });
    for (const bad of ["../etc/passwd", "u-0123456789abcdef01234567/../x", "u-0123", "U-0123456789ABCDEF01234567", "x.zip"]) {
      expect(isUploadName(bad), bad).toBe(false);
      expect(() => uploadKeys(bad)).toThrow(/invalid upload name/);
    }
  });

  it("names a backup's prepared zip by its id only", () => {
    expect(exportKeys("6f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f").zip).toBe("exports/6f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f.zip");
    expect(() => exportKeys("../../x")).toThrow(/invalid backup id/);
  });
});
