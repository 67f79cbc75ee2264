// Local accounts (issue 14): users a superuser creates on the platform itself, and the one-time
// links (invites) they set their password with. Every change here writes its audit entry in the
// same transaction, so a user, its invite and the entry are saved together or not at all.
import { DomainError } from "@slipway/domain";
import type { Db, DbTx } from "../client";
import { insertAuditEntry, type AuditEntryRow, type NewAuditEntry } from "./audit";
import { isUniqueViolation } from "./errors";

/** A user as the Users page lists it. */
export interface UserListRow {
  id: string;
  login: string;
  name: string | null;
  email: string | null;
  githubId: string | null;
  isSuperuser: boolean;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: Date;
  /** Expiry of the newest unused, unexpired invite link, if any. */
  inviteExpiresAt: Date | null;
  collaborations: number;
}

/** The audit entry a change records: who and from where (action and target are the change's own). */
export interface AuditActor {
  actorId: string;
  ip?: string | null;
}

function entry(actor: AuditActor, action: string, target: string, details?: NewAuditEntry["details"]): NewAuditEntry {
  return { projectId: null, actorId: actor.actorId, action, target, details: details ?? null, ip: actor.ip ?? null };
}

/** Every user, superusers first, then by login. */
export async function listUsers(db: Db, { now }: { now: Date }): Promise<UserListRow[]> {
  const rows = await db.user.findMany({
    orderBy: [{ isSuperuser: "desc" }, { login: "asc" }],
    select: {
      id: true,
      login: true,
      name: true,
      email: true,
      githubId: true,
      isSuperuser: true,
      disabledAt: true,
      passwordHash: true,
      createdAt: true,
      invites: { where: { usedAt: null, expiresAt: { gt: now } }, orderBy: { expiresAt: "desc" }, take: 1, select: { expiresAt: true } },
      _count: { select: { collaborators: true } },
    },
  });
  return rows.map(({ disabledAt, passwordHash, invites, _count, ...user }) => ({
    ...user,
    disabled: disabledAt !== null,
    hasPassword: passwordHash !== null,
    inviteExpiresAt: invites[0]?.expiresAt ?? null,
    collaborations: _count.collaborators,
  }));
}

/** A user by login, ignoring case (logins that differ only in case are refused at creation). */
export async function findUserByLoginInsensitive(
  db: Db,
  { login }: { login: string },
): Promise<{ id: string; login: string; githubId: string | null; disabled: boolean } | null> {
  const rows = await db.user.findMany({
    where: { login: { equals: login, mode: "insensitive" } },
    select: { id: true, login: true, githubId: true, disabledAt: true },
    orderBy: { createdAt: "asc" },
  });
  // An exact match wins over a case variant (GitHub renames can leave both).
  const row = rows.find((r) => r.login === login) ?? rows[0];
  return row ? { id: row.id, login: row.login, githubId: row.githubId, disabled: row.disabledAt !== null } : null;
}

async function insertInvite(tx: DbTx, invite: { userId: string; tokenHash: string; expiresAt: Date; now: Date }): Promise<void> {
  // A new link replaces the earlier unused ones: only the newest link works.
  await tx.userInvite.updateMany({ where: { userId: invite.userId, usedAt: null }, data: { expiresAt: invite.now } });
  await tx.userInvite.create({ data: { userId: invite.userId, tokenHash: invite.tokenHash, expiresAt: invite.expiresAt } });
}

/**
 * Creates a local user with a password hash, or without one and with an invite link (hash of its
 * token), and the audit entry `user.create`. A login taken by another user, also in another case,
 * is a conflict.
 */
export async function insertLocalUser(
  db: Db,
  options: {
    login: string;
    name: string | null;
    email: string | null;
    passwordHash: string | null;
    invite?: { tokenHash: string; expiresAt: Date };
    actor: AuditActor;
    now: Date;
  },
): Promise<{ id: string; login: string }> {
  const { login, name, email, passwordHash, invite, actor, now } = options;
  const taken = () => new DomainError("conflict", `The login "${login}" is already taken; choose another one.`);
  try {
    return await db.$transaction(async (tx) => {
      const clash = await tx.user.findFirst({ where: { login: { equals: login, mode: "insensitive" } }, select: { id: true } });
      if (clash) throw taken();
      const user = await tx.user.create({ data: { login, name, email, passwordHash }, select: { id: true, login: true } });
      if (invite) await insertInvite(tx, { userId: user.id, ...invite, now });
      await insertAuditEntry(tx, entry(actor, "user.create", login, { invite: Boolean(invite), password: passwordHash !== null }));
      return user;
    });
  } catch (e) {
    if (isUniqueViolation(e, "User_login_key")) throw taken();
    throw e;
  }
}

/** A new invite link for an existing local user (earlier unused links stop working); audited `user.invite`. */
export async function insertUserInvite(
  db: Db,
  options: { userId: string; tokenHash: string; expiresAt: Date; actor: AuditActor; now: Date },
): Promise<{ login: string }> {
  const { userId, tokenHash, expiresAt, actor, now } = options;
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { login: true, githubId: true, disabledAt: true } });
    if (!user) throw new DomainError("not_found", "This user does not exist any more.");
    if (user.githubId !== null)
      throw new DomainError("invalid_state", `${user.login} signs in with GitHub; invite links are for local users.`);
    if (user.disabledAt) throw new DomainError("invalid_state", `${user.login} is disabled; enable the account first.`);
    await insertInvite(tx, { userId, tokenHash, expiresAt, now });
    await insertAuditEntry(tx, entry(actor, "user.invite", user.login, { expiresAt: expiresAt.toISOString() }));
    return { login: user.login };
  });
}

/**
 * Disables (sessions revoked at once) or enables a user; audited `user.disable` / `user.enable`.
 * A superuser cannot disable their own account (nobody would be left to undo it).
 */
export async function setUserDisabled(
  db: Db,
  options: { userId: string; disabled: boolean; actor: AuditActor; now: Date },
): Promise<{ login: string; changed: boolean }> {
  const { userId, disabled, actor, now } = options;
  if (disabled && userId === actor.actorId) throw new DomainError("invalid_input", "You cannot disable your own account.");
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { login: true, disabledAt: true } });
    if (!user) throw new DomainError("not_found", "This user does not exist any more.");
    if ((user.disabledAt !== null) === disabled) return { login: user.login, changed: false };
    await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? now : null } });
    if (disabled) await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    await insertAuditEntry(tx, entry(actor, disabled ? "user.disable" : "user.enable", user.login));
    return { login: user.login, changed: true };
  });
}

export type InviteStatus = { kind: "valid"; login: string; expiresAt: Date } | { kind: "used" | "expired" | "unknown" };

/** What a link's token hash stands for, at `now`. */
export async function findInvite(db: Db | DbTx, { tokenHash, now }: { tokenHash: string; now: Date }): Promise<InviteStatus> {
  const row = await db.userInvite.findUnique({
    where: { tokenHash },
    select: { usedAt: true, expiresAt: true, user: { select: { login: true, disabledAt: true } } },
  });
  if (!row || row.user.disabledAt) return { kind: "unknown" };
  if (row.usedAt) return { kind: "used" };
  if (row.expiresAt <= now) return { kind: "expired" };
  return { kind: "valid", login: row.user.login, expiresAt: row.expiresAt };
}

/**
 * Uses an invite link once: marks it used (a conditional update, so two submissions of the same
 * link cannot both pass), sets the user's password hash and records `user.invite_accepted`, in
 * one transaction. A used, expired or unknown link throws `invalid_state` / `not_found` with what
 * to do.
 */
export async function acceptUserInvite(
  db: Db,
  options: { tokenHash: string; passwordHash: string; now: Date; ip?: string | null },
): Promise<{ userId: string; login: string }> {
  const { tokenHash, passwordHash, now } = options;
  return db.$transaction(async (tx) => {
    const claimed = await tx.userInvite.updateMany({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now }, user: { disabledAt: null } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) {
      const status = await findInvite(tx, { tokenHash, now });
      throw inviteRefusal(status.kind === "valid" ? "used" : status.kind);
    }
    const invite = await tx.userInvite.findUniqueOrThrow({ where: { tokenHash }, select: { user: { select: { id: true, login: true } } } });
    await tx.user.update({ where: { id: invite.user.id }, data: { passwordHash } });
    await insertAuditEntry(tx, {
      projectId: null,
      actorId: invite.user.id,
      action: "user.invite_accepted",
      target: invite.user.login,
      ip: options.ip ?? null,
    });
    return { userId: invite.user.id, login: invite.user.login };
  });
}

/** The message of a link that cannot be used, with what to do. */
export function inviteRefusal(kind: "used" | "expired" | "unknown"): DomainError {
  switch (kind) {
    case "used":
      return new DomainError(
        "invalid_state",
        "This invite link has already been used. Sign in with your password, or ask an administrator for a new link.",
      );
    case "expired":
      return new DomainError("invalid_state", "This invite link has expired. Ask an administrator for a new link.");
    case "unknown":
      return new DomainError(
        "not_found",
        "This invite link is not valid. Check that you copied the whole link, or ask an administrator for a new one.",
      );
  }
}

/** The latest user-management entries of the audit log (`user.*`, platform-wide), newest first. */
export function listUserAuditEntries(db: Db, { limit = 50 }: { limit?: number } = {}): Promise<AuditEntryRow[]> {
  return db.auditEntry.findMany({
    where: { projectId: null, action: { startsWith: "user." } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(limit, 500),
    select: {
      id: true,
      action: true,
      target: true,
      details: true,
      ip: true,
      createdAt: true,
      actor: { select: { login: true, name: true } },
    },
  });
}
