import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { type BackupForRetention, type BackupKind, selectBackupsToKeep } from "./select-backups-to-keep";

const DAY = 86_400_000;
const b = (id: string, iso: string, kind: BackupKind = "daily"): BackupForRetention => ({ id, takenAt: new Date(iso), kind });
const kept = (decision: { keep: { id: string }[] }) => decision.keep.map((k) => k.id).sort();

/** Daily backups at 02:00 UTC on every day from `from` to `to` (inclusive), id = the date. */
function everyDay(from: string, to: string): BackupForRetention[] {
  const out: BackupForRetention[] = [];
  for (let t = Date.parse(`${from}T02:00:00Z`); t <= Date.parse(`${to}T02:00:00Z`); t += DAY) {
    out.push({ id: new Date(t).toISOString().slice(0, 10), takenAt: new Date(t), kind: "daily" });
  }
  return out;
}

describe("selectBackupsToKeep — calendar buckets", () => {
  it("keeps 7 days, the newest of 4 ISO weeks and of 3 months", () => {
    const backups = everyDay("2026-04-01", "2026-06-17"); // Wednesday 17 June 2026
    const decision = selectBackupsToKeep({ backups, now: new Date("2026-06-17T03:00:00Z") });
    expect(kept(decision)).toEqual(
      [
        ...["2026-06-11", "2026-06-12", "2026-06-13", "2026-06-14", "2026-06-15", "2026-06-16", "2026-06-17"], // daily (+ newest, week 25, June)
        "2026-06-07", // Sunday of week 23
        "2026-05-31", // Sunday of week 22 and last day of May
        "2026-04-30", // last day of April
      ].sort(),
    );
    expect(decision.keep.find((k) => k.id === "2026-06-17")?.reasons).toEqual(["newest", "daily", "weekly", "monthly"]);
    expect(decision.keep.find((k) => k.id === "2026-05-31")?.reasons).toEqual(["weekly", "monthly"]);
    expect(decision.drop).toHaveLength(backups.length - 10);
    expect(decision.drop[0]).toBe("2026-06-10"); // newest first
  });

  it("crosses month and year ends, with ISO week 53 spanning the new year", () => {
    const backups = everyDay("2026-11-20", "2027-01-06"); // Wednesday 6 January 2027 (2027-W01)
    const decision = selectBackupsToKeep({ backups, now: new Date("2027-01-06T05:00:00Z"), policy: { daily: 2 } });
    expect(kept(decision)).toEqual(
      [
        "2027-01-05",
        "2027-01-06", // daily ×2, week 2027-W01, January
        "2027-01-03", // Sunday of 2026-W53 (28 Dec – 3 Jan): one week across the year end
        "2026-12-27", // 2026-W52
        "2026-12-20", // 2026-W51
        "2026-12-31", // December
        "2026-11-30", // November
      ].sort(),
    );
  });

  it("skips periods without backups instead of counting them (outages, gaps)", () => {
    // one backup every third day, and nothing at all in February
    const backups = everyDay("2026-01-01", "2026-03-31").filter((x, i) => i % 3 === 0 && !x.id.startsWith("2026-02"));
    const decision = selectBackupsToKeep({ backups, now: new Date("2026-04-01T00:00:00Z"), policy: { weekly: 0 } });
    const newestSeven = backups.slice(-7).map((x) => x.id);
    expect(newestSeven).toEqual(["2026-03-11", "2026-03-14", "2026-03-17", "2026-03-20", "2026-03-23", "2026-03-26", "2026-03-29"]);
    expect(kept(decision)).toEqual([...newestSeven, "2026-01-31"].sort());
    // the monthly bucket went back past the empty February to January's newest backup
    const months = selectBackupsToKeep({ backups, now: new Date("2026-04-01T00:00:00Z"), policy: { daily: 0, weekly: 0, monthly: 2 } });
    expect(kept(months)).toEqual(["2026-01-31", "2026-03-29"]);
  });

  it("uses calendar days of the given time zone: 23:30 UTC is the next day in Paris", () => {
    const backups = [b("evening", "2026-03-10T22:00:00Z"), b("late", "2026-03-10T23:30:00Z"), b("previous", "2026-03-09T22:00:00Z")];
    const policy = { daily: 2, weekly: 0, monthly: 0 };
    const now = new Date("2026-03-11T08:00:00Z");
    // UTC: "evening" and "late" share 10 March; Paris: "late" is 11 March 00:30, "evening" 10 March 23:00
    expect(kept(selectBackupsToKeep({ backups, now, policy, timeZone: "UTC" }))).toEqual(["late", "previous"]);
    expect(kept(selectBackupsToKeep({ backups, now, policy, timeZone: "Europe/Paris" }))).toEqual(["evening", "late"]);
  });

  it("lets only the later of two backups of the same day represent it (late or repeated runs)", () => {
    const backups = [
      b("d1", "2026-05-01T02:00:00Z"),
      b("d2-early", "2026-05-02T02:00:00Z"),
      b("d2-late", "2026-05-02T14:00:00Z"),
      b("d3", "2026-05-03T02:00:00Z"),
    ];
    const decision = selectBackupsToKeep({ backups, now: new Date("2026-05-03T03:00:00Z"), policy: { weekly: 0, monthly: 0 } });
    expect(kept(decision)).toEqual(["d1", "d2-late", "d3"]);
    expect(decision.drop).toEqual(["d2-early"]);
  });

  it("does not depend on the input order", () => {
    const backups = everyDay("2026-01-01", "2026-04-30");
    const shuffled = [...backups].sort((x, y) => (x.id.split("").reverse().join("") < y.id.split("").reverse().join("") ? -1 : 1));
    const now = new Date("2026-05-01T00:00:00Z");
    expect(selectBackupsToKeep({ backups: shuffled, now })).toEqual(selectBackupsToKeep({ backups, now }));
  });
});

describe("selectBackupsToKeep — other kinds and safety nets", () => {
  const now = new Date("2026-06-30T12:00:00Z");

  it("keeps manual backups 7 days and update/safety/import backups 30 days, outside the buckets", () => {
    const backups = [
      b("manual-fresh", "2026-06-23T12:00:01Z", "manual"),
      b("manual-old", "2026-06-23T12:00:00Z", "manual"),
      b("update-fresh", "2026-05-31T13:00:00Z", "update"),
      b("update-old", "2026-05-30T12:00:00Z", "update"),
      b("safety-fresh", "2026-06-01T00:00:00Z", "safety"),
      b("safety-old", "2026-05-01T00:00:00Z", "safety"),
      b("import-fresh", "2026-06-29T00:00:00Z", "import"),
      b("import-old", "2026-04-01T00:00:00Z", "import"),
      b("daily", "2026-06-30T02:00:00Z"),
    ];
    const decision = selectBackupsToKeep({ backups, now });
    expect(kept(decision)).toEqual(["daily", "import-fresh", "manual-fresh", "safety-fresh", "update-fresh"]);
    expect(decision.drop.sort()).toEqual(["import-old", "manual-old", "safety-old", "update-old"]);
  });

  it("does not let other kinds take a calendar period away from daily backups", () => {
    const backups = [
      b("manual-today", "2026-06-30T10:00:00Z", "manual"),
      b("daily-today", "2026-06-30T02:00:00Z"),
      b("daily-yesterday", "2026-06-29T02:00:00Z"),
    ];
    const decision = selectBackupsToKeep({ backups, now, policy: { daily: 1, weekly: 0, monthly: 0 } });
    expect(kept(decision)).toEqual(["daily-today", "manual-today"]);
  });

  it("never drops the newest backup, whatever the policy", () => {
    const backups = [b("old-manual", "2026-01-01T00:00:00Z", "manual"), b("older-daily", "2025-12-01T00:00:00Z")];
    const decision = selectBackupsToKeep({ backups, now, policy: { daily: 0, weekly: 0, monthly: 0 } });
    expect(decision.keep).toEqual([{ id: "old-manual", reasons: ["newest"] }]);
    expect(decision.drop).toEqual(["older-daily"]);
    expect(selectBackupsToKeep({ backups: [], now })).toEqual({ keep: [], drop: [] });
  });

  it("refuses invalid policies, dates and time zones", () => {
    expect(() => selectBackupsToKeep({ backups: [], now, policy: { daily: -1 } })).toThrow(DomainError);
    expect(() => selectBackupsToKeep({ backups: [], now, policy: { weekly: 1.5 } })).toThrow(/whole number/);
    expect(() => selectBackupsToKeep({ backups: [b("x", "not a date")], now })).toThrow(/invalid date/);
    expect(() => selectBackupsToKeep({ backups: [b("x", "2026-01-01T00:00:00Z")], now, timeZone: "Nowhere/Land" })).toThrow(
      /Unknown time zone/,
    );
  });
});

/**
 * Expected survivors after a run on local day `today` (days as integers, UTC-epoch-based), computed
 * with plain date arithmetic rather than the implementation's calendar keys: the last 7 days, the
 * last existing day of the 4 newest Monday–Sunday weeks, of the 3 newest months.
 */
function expectedDays(first: number, today: number): Set<number> {
  const keep = new Set<number>();
  for (let d = today; d >= Math.max(first, today - 6); d--) keep.add(d);
  for (let d = today, n = 0; d >= first && n < 4; n++) {
    keep.add(d);
    const mondayBased = (new Date(d * DAY).getUTCDay() + 6) % 7;
    d = d - mondayBased - 1; // Sunday of the week before
  }
  for (let d = today, n = 0; d >= first && n < 3; n++) {
    keep.add(d);
    const date = new Date(d * DAY);
    d = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 0) / DAY; // last day of the month before
  }
  return keep;
}

describe("selectBackupsToKeep — 120 days of daily runs, pruned after each run", () => {
  it.each([
    { timeZone: "UTC", runAt: "02:00", localShift: 0 },
    // 23:30 UTC is already the next calendar day in Paris (UTC+1 winter, UTC+2 summer)
    { timeZone: "Europe/Paris", runAt: "23:30", localShift: 1 },
  ])("keeps exactly the 7/4/3 set every day ($timeZone, runs at $runAt UTC, late retries)", ({ timeZone, runAt, localShift }) => {
    const start = Date.parse(`2026-10-01T${runAt}:00Z`) / DAY; // crosses month ends, the year end and 2026-W53
    let stored: BackupForRetention[] = [];
    const idOfLocalDay = new Map<number, string>();
    for (let i = 0; i < 120; i++) {
      const runs = i % 10 === 9 ? [0, 0.25] : [0]; // every tenth day a late second run, 6 h later
      for (const extra of runs) {
        const takenAt = new Date((start + i + extra) * DAY);
        const id = `run-${i}-${extra}`;
        stored.push({ id, takenAt, kind: "daily" });
        idOfLocalDay.set(Math.floor(start) + i + localShift, id); // the later run of a day wins
        const decision = selectBackupsToKeep({ backups: stored, now: takenAt, timeZone });
        const dropped = new Set(decision.drop);
        stored = stored.filter((x) => !dropped.has(x.id));
      }
      const firstDay = Math.floor(start) + localShift;
      const expected = [...expectedDays(firstDay, firstDay + i)].map((d) => idOfLocalDay.get(d)).sort();
      expect(stored.map((x) => x.id).sort(), `after day ${i}`).toEqual(expected);
    }
    expect(stored).toHaveLength(7 + 4 + 3 - 3); // today counts in every bucket; no other overlap on this date
  });
});
