// The shell gateway's data: the build a ticket names (with what the role matrix needs), the ticket
// holder's account and role on the project, re-read at every session opening, and the audit rows
// of shell sessions.
import type { BuildState, Role, Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";

export interface ShellBuild {
  id: string;
  number: number;
  stage: Stage;
  state: BuildState;
  containerName: string | null;
  databaseName: string | null;
  projectId: string;
  publicAccess: boolean;
}

export async function findShellBuild(db: Db, buildId: string): Promise<ShellBuild | null> {
  const build = await db.build.findUnique({
    where: { id: buildId },
    select: {
      id: true,
      number: true,
      stage: true,
      state: true,
      containerName: true,
      databaseName: true,
      projectId: true,
      project: { select: { publicAccess: true } },
    },
  });
  if (!build) return null;
  const { project, ...rest } = build;
  return { ...rest, publicAccess: project.publicAccess };
}

/** A user's account flags and role on a project (null: no such user; role null: not a collaborator). */
export interface ShellUser {
  isSuperuser: boolean;
  disabledAt: Date | null;
  role: Role | null;
}

export async function findShellUser(db: Db, { userId, projectId }: { userId: string; projectId: string }): Promise<ShellUser | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { isSuperuser: true, disabledAt: true } });
  if (!user) return null;
  const collaborator = await db.collaborator.findUnique({
    where: { projectId_userId: { projectId, userId } },
    select: { role: true },
  });
  return { ...user, role: collaborator?.role ?? null };
}

export interface ShellAuditEntry {
  projectId: string | null;
  actorId: string | null;
  action: string;
  target: string | null;
  /** A JSON document of details. */
  details: Record<string, unknown>;
  ip: string | null;
}

export async function insertShellAudit(db: Db, entry: ShellAuditEntry): Promise<void> {
  await insertAuditEntry(db, { ...entry, details: entry.details as Prisma.InputJsonValue });
}
