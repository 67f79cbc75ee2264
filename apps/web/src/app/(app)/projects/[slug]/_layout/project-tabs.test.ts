import { describe, expect, it } from "vitest";
import { activeTab } from "./project-tabs";

describe("activeTab", () => {
  const base = "/projects/shop";
  it("marks the tab each project page belongs to", () => {
    expect(activeTab(base, base, null)).toBe("branches");
    expect(activeTab(base, base, "builds")).toBe("builds");
    expect(activeTab(`${base}/builds/12/logs`, base, null)).toBe("builds");
    expect(activeTab(`${base}/branches/main/history`, base, null)).toBe("branches");
    expect(activeTab(`${base}/backups`, base, null)).toBe("backups");
    expect(activeTab(`${base}/settings`, base, null)).toBe("settings");
    expect(activeTab(`${base}/audit`, base, null)).toBe("settings");
  });
});
