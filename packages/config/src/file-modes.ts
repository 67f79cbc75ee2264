import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { privateStateFolderNames } from "./state-paths";

// Issue 11 item 10: production dumps, build logs and mails are nobody else's business on the host.
// The web and the worker call both functions first thing at start.

/** Every file and folder this process creates is private to its user (umask 077). */
export function restrictFileModes(): void {
  process.umask(0o077);
}

/**
 * The folders of SLIPWAY_HOME that hold tenants' data (and the backup store, wherever it is):
 * builds (checkouts, logs, generated configs), logs, tmp, mails, merges, odoo-postgres.
 */
export function privateStateFolders(config: { home: string; backups: { root: string } }): string[] {
  const { home } = config;
  return [...privateStateFolderNames.map((name) => join(home, name)), config.backups.root];
}

export interface SecuredFolders {
  /** The mode SLIPWAY_HOME was left with: 0700, or 0711 when it holds entries of other users. */
  home: number;
  folders: string[];
}

const uid = () => (typeof process.getuid === "function" ? process.getuid() : -1);

/**
 * Creates the private state folders 0700 when missing and tightens them to 0700 when they exist
 * (files created later are 0600 through the umask, or explicitly). SLIPWAY_HOME itself is made
 * 0700 — or 0711 (others may traverse, never list) when it holds entries owned by another user,
 * such as the development PostgreSQL cluster `npm run services:up` keeps in `.slipway/postgres`
 * and runs as `postgres`: that server must still reach its folder. Folders owned by another user
 * are left as they are.
 */
export function securePrivateFolders(options: {
  home: string;
  folders: readonly string[];
  /** Whether an entry of SLIPWAY_HOME belongs to another user (default: its owner is not this process's user). */
  isForeign?: (path: string) => boolean;
}): SecuredFolders {
  const me = uid();
  const isForeign = options.isForeign ?? ((path: string) => lstatSync(path).uid !== me);
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  const foreign = readdirSync(options.home).some((name) => isForeign(join(options.home, name)));
  const homeMode = foreign ? 0o711 : 0o700;
  if (lstatSync(options.home).uid === me) chmodSync(options.home, homeMode);
  const folders: string[] = [];
  for (const folder of options.folders) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Followed: a backup store symlinked to another disk is secured where it really is.
    const stat = statSync(folder);
    if (!stat.isDirectory() || stat.uid !== me) continue;
    chmodSync(folder, 0o700);
    folders.push(folder);
  }
  return { home: homeMode, folders };
}
