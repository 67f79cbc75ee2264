import { publishProjectNotice } from "@slipway/queue";
import { deps } from "../deps";
import type { BackupDeps } from "./manual-backup";

/** The Backups tab's use-case dependencies from the web process's (store root and limit from the config). */
export function backupDeps(): BackupDeps & { root: string; maxBytes: number } {
  const d = deps();
  return {
    prisma: d.prisma,
    // Read at call time: tests swap the queues for a prefix of their own.
    get queues() {
      return deps().queues;
    },
    timeZone: d.config.backups.timeZone,
    root: d.config.backups.root,
    maxBytes: d.config.backups.importMaxBytes,
    notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "branch" }),
  };
}
