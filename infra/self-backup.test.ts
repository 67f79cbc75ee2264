import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ES module (run by node --import tsx on servers), no type declarations
import { archivesToDrop } from "./self-backup.mjs";

const DAY = 86_400_000;
const archive = (iso: string) => `slipway-state-${iso.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.tar.gz`;

/** One archive per day at 03:30 UTC from `from` to `to` (inclusive). */
function everyDay(from: string, to: string): string[] {
  const names: string[] = [];
  for (let t = Date.parse(`${from}T03:30:00Z`); t <= Date.parse(`${to}T03:30:00Z`); t += DAY)
    names.push(archive(new Date(t).toISOString()));
  return names;
}

describe("self-backup retention (the platform's 7 daily / 4 weekly / 3 monthly)", () => {
  it("keeps 7 days, the newest of 4 ISO weeks and of 3 months; drops the rest", () => {
    const names = everyDay("2026-04-01", "2026-06-17");
    const dropped: string[] = archivesToDrop(names, new Date("2026-06-17T04:00:00Z"));
    const kept = names.filter((n) => !dropped.includes(n));
    expect(kept.map((n) => n.slice(14, 22)).sort()).toEqual(
      ["20260611", "20260612", "20260613", "20260614", "20260615", "20260616", "20260617", "20260607", "20260531", "20260430"].sort(),
    );
    expect(dropped).toHaveLength(names.length - 10);
  });

  it("never touches other files of the folder (pre-upgrade dumps, partial archives)", () => {
    const others = ["pre-upgrade-20260101T000000Z.dump", "slipway-state-20260101T000000Z.tar.gz.part", ".work-42", "notes.txt"];
    const dropped: string[] = archivesToDrop([...others, ...everyDay("2025-01-01", "2025-12-31")], new Date("2026-01-01T00:00:00Z"));
    expect(dropped.some((d) => others.includes(d))).toBe(false);
    expect(dropped.length).toBeGreaterThan(300);
  });

  it("two archives the same day: only the later one can represent it", () => {
    const names = [archive("2026-06-17T03:30:00.000Z"), archive("2026-06-17T12:00:00.000Z")];
    expect(archivesToDrop(names, new Date("2026-06-17T13:00:00Z"))).toEqual([names[0]]);
  });
});
