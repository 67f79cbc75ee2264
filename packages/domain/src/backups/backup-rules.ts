import type { Stage } from "../builds";
import { DomainError } from "../errors";
import { calendarKey } from "./calendar";
import type { BackupKind } from "./select-backups-to-keep";

export const MAX_MANUAL_BACKUPS_PER_DAY = 5;

/**
 * Which backup kinds a stage can have (docs/product/production-updates-and-backups.md, Odoo.sh's branches page "Backups"):
 * - production: automatic daily backups, manual ones, update backups before risky updates, safety
 *   backups before a restore, import backups of an imported database;
 * - staging: no automatic backups; manual, safety (restoring production into staging) and import;
 * - development: no backups at all (fresh databases from scratch on every push).
 */
const kindsByStage: Record<Stage, readonly BackupKind[]> = {
  production: ["daily", "manual", "update", "safety", "import"],
  staging: ["manual", "safety", "import"],
  development: [],
};

export function backupKindsFor(stage: Stage): readonly BackupKind[] {
  return kindsByStage[stage];
}

/** Throws unless a backup of that kind may be taken on a branch of that stage. */
export function assertBackupAllowed({ stage, kind }: { stage: Stage; kind: BackupKind }): void {
  if (kindsByStage[stage].includes(kind)) return;
  if (stage === "development") {
    throw new DomainError(
      "invalid_input",
      "Development branches have no backups: their databases are rebuilt from scratch on every push.",
      {
        details: { stage, kind },
      },
    );
  }
  const message =
    kind === "daily"
      ? "Only the production branch is backed up automatically; take a manual backup of a staging branch instead."
      : `${kind[0]?.toUpperCase() ?? ""}${kind.slice(1)} backups are for production only.`;
  throw new DomainError("invalid_input", message, { details: { stage, kind } });
}

/**
 * A branch may have at most 5 manual backups per calendar day. `existingToday` counts the manual
 * backups of the branch (any state but failed) whose takenAt falls on today's calendar day in the
 * project's time zone (see calendarKey(…, "day", timeZone)).
 */
export function assertManualBackupAllowed({ existingToday, stage }: { existingToday: number; stage?: Stage }): void {
  if (stage !== undefined) assertBackupAllowed({ stage, kind: "manual" });
  if (!Number.isInteger(existingToday) || existingToday < 0) {
    throw new DomainError("invalid_input", `existingToday must be a whole number ≥ 0, got ${String(existingToday)}.`);
  }
  if (existingToday >= MAX_MANUAL_BACKUPS_PER_DAY) {
    throw new DomainError(
      "conflict",
      `This branch already has ${existingToday} manual backups today; at most ${MAX_MANUAL_BACKUPS_PER_DAY} are allowed per day. Try again tomorrow.`,
      { details: { existingToday, max: MAX_MANUAL_BACKUPS_PER_DAY } },
    );
  }
}

/**
 * How far back the manual-backup quota has to look: `now`'s calendar day, in whatever time zone the
 * backup settings use, starts less than two days before `now`.
 */
export const MANUAL_BACKUP_QUOTA_LOOKBACK_MS = 2 * 86_400_000;

/**
 * The manual backups counted against the quota of `now`'s calendar day, in the time zone of the
 * backup settings, among the creation times of a branch's recent manual backups (failed ones are
 * not passed in: they do not count).
 */
export function manualBackupsOnDay(times: readonly Date[], { now, timeZone }: { now: Date; timeZone: string }): number {
  const today = calendarKey(now, "day", timeZone);
  return times.filter((t) => calendarKey(t, "day", timeZone) === today).length;
}
