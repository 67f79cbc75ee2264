import { DomainError } from "../errors";
import { calendarKey, type CalendarPeriod } from "./calendar";

export const backupKinds = ["daily", "manual", "update", "import", "safety"] as const;
export type BackupKind = (typeof backupKinds)[number];

export interface RetentionPolicy {
  /** Calendar buckets for automatic (kind "daily") backups: grandfather-father-son. */
  daily: number;
  weekly: number;
  monthly: number;
  /** Age limits, in days of 24 h, for the other kinds. */
  manualDays: number;
  updateDays: number;
  safetyDays: number;
  importDays: number;
}

/**
 * Defaults: 7 daily, 4 weekly, 3 monthly (docs/product/production-updates-and-backups.md, Odoo.sh's branches page); manual backups 7 days
 * (docs/product/production-updates-and-backups.md). Update, safety and import backups are taken right before something risky
 * (a production update, a restore, an import overwriting a branch): they are kept 30 days so a
 * problem noticed weeks later can still be undone, and long after the event they are covered by the
 * daily/weekly/monthly set anyway.
 */
export const defaultRetentionPolicy: RetentionPolicy = {
  daily: 7,
  weekly: 4,
  monthly: 3,
  manualDays: 7,
  updateDays: 30,
  safetyDays: 30,
  importDays: 30,
};

export type RetentionReason = "newest" | "daily" | "weekly" | "monthly" | "manual" | "update" | "safety" | "import";

export interface BackupForRetention {
  id: string;
  takenAt: Date;
  kind: BackupKind;
}

export interface RetentionDecision {
  keep: { id: string; reasons: RetentionReason[] }[];
  /** Ids no rule keeps, newest first: the caller deletes them (files, then rows). */
  drop: string[];
}

const DAY_MS = 86_400_000;
const buckets: { period: CalendarPeriod; reason: "daily" | "weekly" | "monthly" }[] = [
  { period: "day", reason: "daily" },
  { period: "week", reason: "weekly" },
  { period: "month", reason: "monthly" },
];

/**
 * Which backups of ONE branch to keep. Pass only completed backups (pending/failed ones are cleaned
 * up separately).
 *
 * Kind "daily" (the automatic production backups) follows calendar buckets. For each bucket type —
 * day, ISO week (Monday to Sunday) and month, as calendar periods in `timeZone` (IANA name) — walk
 * the distinct periods that hold at least one daily backup, from the newest to the oldest, and keep
 * the NEWEST backup of each of the first N periods (N = policy.daily / weekly / monthly). Periods
 * without a backup are skipped, not counted: after an outage the platform still keeps N of each,
 * never an empty set. A backup is kept if any bucket keeps it. Two backups on the same day (a late
 * or repeated run): only the later one can represent that day.
 *
 * Kinds manual / update / safety / import are kept while younger than their age limit (now − takenAt
 * below N × 24 h); `now` is otherwise only used for that.
 *
 * Whatever the rules say, the newest backup of the list (any kind) is always kept, so a branch
 * that had backups always has one to restore.
 */
export function selectBackupsToKeep({
  backups,
  now,
  policy = {},
  timeZone = "UTC",
}: {
  backups: readonly BackupForRetention[];
  now: Date;
  policy?: Partial<RetentionPolicy>;
  timeZone?: string;
}): RetentionDecision {
  const rules: RetentionPolicy = { ...defaultRetentionPolicy, ...policy };
  for (const [name, value] of Object.entries(rules)) {
    if (!Number.isInteger(value) || value < 0)
      throw new DomainError("invalid_input", `Retention "${name}" must be a whole number ≥ 0, got ${String(value)}.`);
  }
  if (Number.isNaN(now.getTime())) throw new DomainError("invalid_input", "Invalid current date.");
  for (const backup of backups) {
    if (Number.isNaN(backup.takenAt.getTime())) throw new DomainError("invalid_input", `Backup ${backup.id} has an invalid date.`);
  }

  // Newest first; ties broken by id so the result does not depend on the input order.
  const sorted = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const reasons = new Map<string, RetentionReason[]>();
  const add = (id: string, reason: RetentionReason) => {
    const list = reasons.get(id) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(id, list);
  };

  const first = sorted[0];
  if (first !== undefined) add(first.id, "newest");

  const daily = sorted.filter((b) => b.kind === "daily");
  for (const { period, reason } of buckets) {
    const limit = rules[reason];
    const seen = new Set<string>();
    for (const backup of daily) {
      if (seen.size >= limit) break;
      const key = calendarKey(backup.takenAt, period, timeZone);
      if (seen.has(key)) continue; // an older backup of a period already represented
      seen.add(key);
      add(backup.id, reason);
    }
  }

  const maxAgeDays: Record<Exclude<BackupKind, "daily">, number> = {
    manual: rules.manualDays,
    update: rules.updateDays,
    safety: rules.safetyDays,
    import: rules.importDays,
  };
  for (const backup of sorted) {
    if (backup.kind === "daily") continue;
    if (now.getTime() - backup.takenAt.getTime() < maxAgeDays[backup.kind] * DAY_MS) add(backup.id, backup.kind);
  }

  const keep: RetentionDecision["keep"] = [];
  const drop: string[] = [];
  for (const backup of sorted) {
    const why = reasons.get(backup.id);
    if (why === undefined) drop.push(backup.id);
    else keep.push({ id: backup.id, reasons: why });
  }
  return { keep, drop };
}
