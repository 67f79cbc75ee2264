import type { Prisma } from "../generated/prisma/client";
import type { Db, DbTx } from "../client";

export interface NewAuditEntry {
  projectId: string | null;
  /** The user who acted; null for anonymous visitors and the platform itself. */
  actorId: string | null;
  /** Dotted verb, e.g. "collaborator.add", "build.rebuild", "stage.move". */
  action: string;
  /** What was acted on, readable: a login, a branch name, "build #12". */
  target?: string | null;
  details?: Prisma.InputJsonValue | null;
  ip?: string | null;
}

/** Appends one audit entry (the table is append-only: no update or delete helpers exist). */
export function insertAuditEntry(db: Db | DbTx, entry: NewAuditEntry) {
  return db.auditEntry.create({
    data: {
      projectId: entry.projectId,
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? undefined,
      ip: entry.ip ?? null,
    },
    select: { id: true, createdAt: true },
  });
}

export interface AuditFilter {
  projectId: string;
  /** Exact action, or a prefix ending with "." (e.g. "collaborator."). */
  action?: string;
  /** Actor's login (exact, case-insensitive). */
  actorLogin?: string;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  limit?: number;
}

/** One line of a project's audit log. */
export interface AuditEntryRow {
  id: string;
  action: string;
  target: string | null;
  /** The entry's JSON details as recorded. */
  details: unknown;
  ip: string | null;
  createdAt: Date;
  actor: { login: string; name: string | null } | null;
}

/** A project's audit entries, newest first, with the actor's login. */
export function listAuditEntries(prisma: Db, filter: AuditFilter): Promise<AuditEntryRow[]> {
  const where: Prisma.AuditEntryWhereInput = { projectId: filter.projectId };
  if (filter.action) where.action = filter.action.endsWith(".") ? { startsWith: filter.action } : filter.action;
  if (filter.actorLogin) where.actor = { login: { equals: filter.actorLogin, mode: "insensitive" } };
  if (filter.from || filter.to) where.createdAt = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) };
  return prisma.auditEntry.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(filter.limit ?? 200, 1000),
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

/** The distinct actions recorded for a project (the filter's choices). */
export async function listAuditActions(prisma: Db, { projectId }: { projectId: string }): Promise<string[]> {
  const rows = await prisma.auditEntry.findMany({
    where: { projectId },
    distinct: ["action"],
    select: { action: true },
    orderBy: { action: "asc" },
  });
  return rows.map((r) => r.action);
}
