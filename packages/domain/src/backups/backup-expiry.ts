import { defaultRetentionPolicy, type BackupKind, type RetentionPolicy } from "./select-backups-to-keep";

const DAY_MS = 86_400_000;

/**
 * The expiry shown with a backup: its age limit for the kinds kept a fixed number of days, none for
 * automatic daily backups (the daily/weekly/monthly buckets decide). Informative only: retention
 * (selectBackupsToKeep) is what actually deletes.
 */
export function backupExpiresAt(kind: BackupKind, takenAt: Date, policy: RetentionPolicy = defaultRetentionPolicy): Date | null {
  const days = {
    daily: null,
    manual: policy.manualDays,
    update: policy.updateDays,
    safety: policy.safetyDays,
    import: policy.importDays,
  }[kind];
  return days === null ? null : new Date(takenAt.getTime() + days * DAY_MS);
}
