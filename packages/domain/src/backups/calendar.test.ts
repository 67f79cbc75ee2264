import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { calendarKey, isoWeek, localDate } from "./calendar";

const at = (iso: string) => new Date(iso);

describe("localDate", () => {
  it("gives the calendar date in the time zone", () => {
    expect(localDate(at("2026-03-10T23:30:00Z"), "UTC")).toEqual({ year: 2026, month: 3, day: 10 });
    expect(localDate(at("2026-03-10T23:30:00Z"), "Europe/Paris")).toEqual({ year: 2026, month: 3, day: 11 });
    expect(localDate(at("2026-03-11T03:00:00Z"), "America/New_York")).toEqual({ year: 2026, month: 3, day: 10 });
  });

  it("crosses the year end in the time zone, not in UTC", () => {
    expect(localDate(at("2026-12-31T23:30:00Z"), "Europe/Paris")).toEqual({ year: 2027, month: 1, day: 1 });
    expect(calendarKey(at("2026-12-31T23:30:00Z"), "month", "Europe/Paris")).toBe("2027-01");
  });

  it("refuses unknown time zones and invalid dates", () => {
    expect(() => localDate(at("2026-01-01T00:00:00Z"), "Mars/Olympus")).toThrow(DomainError);
    expect(() => localDate(new Date("nope"), "UTC")).toThrow(/Invalid date/);
  });
});

describe("isoWeek", () => {
  it.each([
    ["2020-12-31", 2020, 53],
    ["2021-01-03", 2020, 53],
    ["2021-01-04", 2021, 1],
    ["2024-12-30", 2025, 1],
    ["2026-12-31", 2026, 53],
    ["2027-01-03", 2026, 53],
    ["2027-01-04", 2027, 1],
    ["2026-06-15", 2026, 25],
  ])("%s is in %i-W%i", (date, isoYear, week) => {
    const [y, m, d] = date.split("-").map(Number);
    expect(isoWeek({ year: y!, month: m!, day: d! })).toEqual({ isoYear, week });
  });
});

describe("calendarKey", () => {
  it("formats sortable day, ISO week and month keys", () => {
    const instant = at("2027-01-02T12:00:00Z");
    expect(calendarKey(instant, "day", "UTC")).toBe("2027-01-02");
    expect(calendarKey(instant, "week", "UTC")).toBe("2026-W53");
    expect(calendarKey(instant, "month", "UTC")).toBe("2027-01");
  });
});
