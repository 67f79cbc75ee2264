import { describe, expect, it } from "vitest";
import { axisTicks } from "./chart-ticks";

describe("axisTicks", () => {
  it("gives 0, half and max", () => {
    expect(axisTicks(100, (v) => `${v} %`).map((t) => t.label)).toEqual(["0 %", "50 %", "100 %"]);
  });
  it("never repeats a label (small values in a coarse unit)", () => {
    const kib = (v: number) => `${(v / 1024).toFixed(0)} KiB`;
    expect(axisTicks(1, kib).map((t) => t.label)).toEqual(["0 KiB"]);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const labels = axisTicks(1, ms).map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
