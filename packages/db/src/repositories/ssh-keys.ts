// SSH public keys of users: the profile page lists, adds and removes them; the worker's SSH server
// finds the account a presented key belongs to. The audit rows go in the same transaction as the
// change.
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";
import { isUniqueViolation } from "./errors";

export interface SshKeyRow {
  id: string;
  title: string;
  /** `<type> <base64>`. */
  publicKey: string;
  fingerprint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const keySelect = { id: true, title: true, publicKey: true, fingerprint: true, createdAt: true, lastUsedAt: true } as const;

/** A user's keys, oldest first. */
export function listSshKeys(db: Db, userId: string): Promise<SshKeyRow[]> {
  return db.sshKey.findMany({ where: { userId }, select: keySelect, orderBy: { createdAt: "asc" } });
}

/** Who holds a fingerprint already: this user, another account, or nobody. */
export async function sshKeyHolder(db: Db, options: { fingerprint: string; userId: string }): Promise<"self" | "other" | null> {
  const row = await db.sshKey.findUnique({ where: { fingerprint: options.fingerprint }, select: { userId: true } });
  if (!row) return null;
  return row.userId === options.userId ? "self" : "other";
}

export type AddSshKeyResult = { added: SshKeyRow } | { duplicate: "self" | "other" };

/** Adds a key to a user (audited as ssh_key.add); a fingerprint already held by anyone is refused. */
export async function addSshKey(
  db: Db,
  options: { userId: string; title: string; publicKey: string; fingerprint: string; keyType: string; ip: string | null },
): Promise<AddSshKeyResult> {
  try {
    const added = await db.$transaction(async (tx) => {
      const row = await tx.sshKey.create({
        data: { userId: options.userId, title: options.title, publicKey: options.publicKey, fingerprint: options.fingerprint },
        select: keySelect,
      });
      await insertAuditEntry(tx, {
        projectId: null,
        actorId: options.userId,
        action: "ssh_key.add",
        target: options.title,
        details: { fingerprint: options.fingerprint, type: options.keyType } satisfies Prisma.InputJsonValue,
        ip: options.ip,
      });
      return row;
    });
    return { added };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return { duplicate: (await sshKeyHolder(db, options)) ?? "other" };
  }
}

/** Removes one of the user's own keys (audited as ssh_key.remove); null when it is not theirs or gone. */
export async function removeSshKey(db: Db, options: { userId: string; keyId: string; ip: string | null }): Promise<SshKeyRow | null> {
  return db.$transaction(async (tx) => {
    const row = await tx.sshKey.findFirst({ where: { id: options.keyId, userId: options.userId }, select: keySelect });
    if (!row) return null;
    await tx.sshKey.delete({ where: { id: row.id } });
    await insertAuditEntry(tx, {
      projectId: null,
      actorId: options.userId,
      action: "ssh_key.remove",
      target: row.title,
      details: { fingerprint: row.fingerprint },
      ip: options.ip,
    });
    return row;
  });
}

/** The key with this fingerprint and its owner (the SSH server's lookup), or null. */
export async function findSshKeyByFingerprint(
  db: Db,
  fingerprint: string,
): Promise<{ id: string; userId: string; publicKey: string; login: string; disabled: boolean } | null> {
  const row = await db.sshKey.findUnique({
    where: { fingerprint },
    select: { id: true, userId: true, publicKey: true, user: { select: { login: true, disabledAt: true } } },
  });
  if (!row) return null;
  return { id: row.id, userId: row.userId, publicKey: row.publicKey, login: row.user.login, disabled: row.user.disabledAt !== null };
}

/** Marks a key as used now (shown on the profile page). */
export async function touchSshKey(db: Db, keyId: string, at = new Date()): Promise<void> {
  await db.sshKey.updateMany({ where: { id: keyId }, data: { lastUsedAt: at } });
}
