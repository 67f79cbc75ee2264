import { describe, expect, it } from "vitest";
import { elapsed, formatDuration, formatTime } from "./format";

describe("formatting", () => {
  it("formats durations compactly", () => {
    expect(formatDuration(420)).toBe("0.4 s");
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
    expect(formatDuration(-5)).toBe("0.0 s");
  });
  it("measures steps, running ones up to now", () => {
    const t = new Date("2026-01-01T10:00:00Z");
    expect(elapsed(null, null)).toBeNull();
    expect(elapsed(t, new Date("2026-01-01T10:01:30Z"))).toBe("1 min 30 s");
    expect(elapsed(t, null, new Date("2026-01-01T10:00:20Z"))).toBe("20 s");
    expect(formatTime(t)).toBe("2026-01-01 10:00:00 UTC");
  });
});
