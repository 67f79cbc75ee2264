import { join, resolve, sep } from "node:path";

// The layout of the state folder ($SLIPWAY_HOME), in one place: the web reads what the worker
// writes (build logs, captured mails), so both sides take the paths from here instead of joining
// the same folder names twice. ARCHITECTURE.md draws the tree.
//
//   <home>/builds/<buildId>/{src,logs}   a build's checkout and its step logs
//   <home>/mails/<buildId>/<mailId>.eml   messages the mail catcher captured for a build
//   <home>/merges/<mergeId>               scratch clone of one merge job, removed afterwards
//   <home>/logs/backups/<branchId>        logs of restores and imports into a branch
//   <home>/tmp/backup-io                  named pipes between the backup engine and its helpers
//   <home>/state/swaps/<database>.json    journal of database swaps in progress (crash recovery)
//   <home>/odoo-postgres/                 secrets of the managed PostgreSQL server
//   <home>/backups/                       the local backup store (unless SLIPWAY_BACKUP_DIR moves it)
//     uploads/, exports/, tmp/            inside the store: import uploads, Odoo zips, partial files

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids become folder names: anything but a UUID (e.g. `../x`) is refused before a path is made. */
function checkId(kind: string, id: string): string {
  if (!UUID.test(id)) throw new Error(`invalid ${kind} id "${id}"`);
  return id;
}

/** A build's folder and what it holds: the checkout (`src`) and one log file per step (`logs`). */
export function buildWorkspace(home: string, buildId: string): { root: string; src: string; logs: string } {
  const root = join(home, "builds", checkId("build", buildId));
  return { root, src: join(root, "src"), logs: join(root, "logs") };
}

/** The folder of a build's step logs (`<home>/builds/<buildId>/logs`). */
export function buildLogsDir(home: string, buildId: string): string {
  return buildWorkspace(home, buildId).logs;
}

/** The folder of a build's captured messages (`<home>/mails/<buildId>`). */
export function buildMailsDir(home: string, buildId: string): string {
  return join(home, "mails", checkId("build", buildId));
}

/** One captured message's raw file (`<home>/mails/<buildId>/<mailId>.eml`). */
export function mailFile(home: string, buildId: string, mailId: string): string {
  return join(buildMailsDir(home, buildId), `${checkId("mail", mailId)}.eml`);
}

/** Whether `file` lies inside the captured-mail folder of `buildId` (rows are not trusted blindly). */
export function isInBuildMailsDir(home: string, buildId: string, file: string): boolean {
  return resolve(file).startsWith(resolve(buildMailsDir(home, buildId)) + sep);
}

/** The scratch folder of one merge job (`<home>/merges/<mergeId>`). */
export function mergeWorkdir(home: string, mergeId: string): string {
  return join(home, "merges", checkId("merge", mergeId));
}

/** Logs of the restores and imports into one branch (`<home>/logs/backups/<branchId>`). */
export function backupLogsDir(home: string, branchId: string): string {
  return join(home, "logs", "backups", branchId);
}

/** Named pipes between the backup engine and its helper containers (`<home>/tmp/backup-io`). */
export function backupIoDir(home: string): string {
  return join(home, "tmp", "backup-io");
}

/** The journal of database swaps in progress (`<home>/state/swaps`). */
export function swapJournalDir(home: string): string {
  return join(home, "state", "swaps");
}

/** The SSH server's host key, generated once (`<home>/state/ssh/host_ed25519_key`, mode 0600). */
export function sshHostKeyFile(home: string): string {
  return join(home, "state", "ssh", "host_ed25519_key");
}

/** Secrets of the managed PostgreSQL server (`<home>/odoo-postgres`). */
export function odooPostgresDir(home: string): string {
  return join(home, "odoo-postgres");
}

/** The local backup store when SLIPWAY_BACKUP_DIR does not name another one (`<home>/backups`). */
export function defaultBackupRoot(home: string): string {
  return join(home, "backups");
}

/** Uploaded import files, inside the backup store (`<store>/uploads`). */
export function backupUploadsDir(backupRoot: string): string {
  return join(backupRoot, "uploads");
}

/**
 * The folders of the state folder that hold tenants' data, kept private to the platform's user:
 * builds (checkouts, logs, generated configs), logs, tmp, mails, merges, odoo-postgres.
 */
export const privateStateFolderNames = ["builds", "logs", "tmp", "mails", "merges", "odoo-postgres"] as const;
