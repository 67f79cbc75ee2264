export interface AuditPageFilter {
  action?: string;
  actor?: string;
  from?: Date;
  /** Exclusive: the day after the chosen "to" date, so the whole day is included. */
  to?: Date;
  fromText?: string;
  toText?: string;
  error?: string;
}

const DAY_MS = 86_400_000;

function one(value: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  return v ? v.slice(0, 100) : undefined;
}

function day(text: string | undefined): Date | undefined | null {
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The audit page's query (?action&actor&from&to, dates as YYYY-MM-DD in UTC), validated. */
export function parseAuditFilter(query: Record<string, string | string[] | undefined>): AuditPageFilter {
  const action = one(query.action);
  const actor = one(query.actor);
  const fromText = one(query.from);
  const toText = one(query.to);
  const from = day(fromText);
  const to = day(toText);
  const filter: AuditPageFilter = { action: action && /^[a-z_.]+$/.test(action) ? action : undefined, actor, fromText, toText };
  if (from === null || to === null) return { ...filter, error: "Dates must look like 2026-01-31." };
  if (from) filter.from = from;
  if (to) filter.to = new Date(to.getTime() + DAY_MS);
  if (from && to && from.getTime() > to.getTime())
    return { ...filter, from: undefined, to: undefined, error: "The start date is after the end date." };
  return filter;
}
