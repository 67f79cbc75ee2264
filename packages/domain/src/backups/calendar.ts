import { DomainError } from "../errors";

/** A calendar date in some time zone. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" });
    } catch (error) {
      throw new DomainError("invalid_input", `Unknown time zone "${timeZone}"; use an IANA name such as "Europe/Paris".`, { cause: error });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date of an instant in an IANA time zone (Intl only, no library). */
export function localDate(instant: Date, timeZone: string): LocalDate {
  if (Number.isNaN(instant.getTime())) throw new DomainError("invalid_input", "Invalid date.");
  const parts = formatterFor(timeZone).formatToParts(instant);
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: value("year"), month: value("month"), day: value("day") };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week of a calendar date: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek({ year, month, day }: LocalDate): { isoYear: number; week: number } {
  const date = Date.UTC(year, month - 1, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(date + (3 - weekday) * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * 86_400_000));
  return { isoYear, week };
}

export type CalendarPeriod = "day" | "week" | "month";

/**
 * A sortable key of the calendar period holding an instant in the time zone:
 * day "2026-03-29", ISO week "2026-W13", month "2026-03".
 */
export function calendarKey(instant: Date, period: CalendarPeriod, timeZone: string): string {
  const date = localDate(instant, timeZone);
  switch (period) {
    case "day":
      return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
    case "month":
      return `${pad(date.year, 4)}-${pad(date.month)}`;
    case "week": {
      const { isoYear, week } = isoWeek(date);
      return `${pad(isoYear, 4)}-W${pad(week)}`;
    }
  }
}
