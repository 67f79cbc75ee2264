import { assertKeepsAnAdmin, DomainError, type Role } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";
import { isUniqueViolation } from "./errors";

const collaboratorSelect = {
  id: true,
  role: true,
  createdAt: true,
  user: { select: { id: true, login: true, name: true, avatarUrl: true, githubId: true } },
} as const;

/** A project's collaborators, admins first, then by login. */
export async function listCollaborators(prisma: Db, { projectId }: { projectId: string }): Promise<CollaboratorRow[]> {
  const rank: Record<Role, number> = { admin: 0, tester: 1, developer: 2 };
  const rows = await prisma.collaborator.findMany({ where: { projectId }, select: collaboratorSelect });
  return rows.sort((a, b) => rank[a.role] - rank[b.role] || a.user.login.localeCompare(b.user.login));
}

/** A collaborator of a project as the Settings page lists it. */
export interface CollaboratorRow {
  id: string;
  role: Role;
  createdAt: Date;
  user: { id: string; login: string; name: string | null; avatarUrl: string | null; githubId: string | null };
}

/** Adds a collaborator, with its audit entry in the same transaction when one is given. */
export async function insertCollaborator(
  prisma: Db,
  { projectId, userId, role, audit }: { projectId: string; userId: string; role: Role; audit?: NewAuditEntry },
): Promise<CollaboratorRow> {
  try {
    return await prisma.$transaction(async (tx) => {
      const row = await tx.collaborator.create({ data: { projectId, userId, role }, select: collaboratorSelect });
      if (audit) await insertAuditEntry(tx, audit);
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e, "Collaborator_projectId_userId_key"))
      throw new DomainError("conflict", "This user is already a collaborator of the project.");
    throw e;
  }
}

/**
 * Changes a collaborator's role, or removes them (`role: null`), keeping at least one admin. The
 * project's collaborator rows are locked first so two admins demoting each other at the same time
 * cannot both succeed.
 */
export function changeCollaborator(
  prisma: Db,
  options: { projectId: string; collaboratorId: string; role: Role | null },
): Promise<{ before: CollaboratorRow; role: Role | null }> {
  const { projectId, collaboratorId, role } = options;
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Collaborator" WHERE "projectId" = ${projectId}::uuid FOR UPDATE`;
    const team = await tx.collaborator.findMany({ where: { projectId }, select: { id: true, role: true } });
    assertKeepsAnAdmin({ team, collaboratorId, role });
    const before = await tx.collaborator.findUniqueOrThrow({ where: { id: collaboratorId }, select: collaboratorSelect });
    if (role === null) await tx.collaborator.delete({ where: { id: collaboratorId } });
    else await tx.collaborator.update({ where: { id: collaboratorId }, data: { role } });
    return { before, role };
  });
}
