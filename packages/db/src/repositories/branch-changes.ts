// What the web changes on a branch from the Branches board (pin, stage move), and the lookups
// those changes start from. Each change writes the branch, its history event and its audit entry
// in one transaction.
import type { PushBehavior, Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";
import { isUniqueViolation } from "./errors";

export interface LiveBranch {
  id: string;
  name: string;
  stage: Stage;
  pinned: boolean;
}

/** A non-archived branch of the project by name (null when there is none). */
export function findLiveBranchByName(db: Db, { projectId, name }: { projectId: string; name: string }): Promise<LiveBranch | null> {
  return db.branch.findFirst({ where: { projectId, name, archivedAt: null }, select: { id: true, name: true, stage: true, pinned: true } });
}

/** The name of a non-archived branch of the project by id (null when missing, archived or of another project). */
export async function findLiveBranchName(db: Db, { projectId, branchId }: { projectId: string; branchId: string }): Promise<string | null> {
  const row = await db.branch.findFirst({ where: { id: branchId, projectId, archivedAt: null }, select: { name: true } });
  return row?.name ?? null;
}

/** The name of the project's production branch, or null while it has none. */
export async function findProductionBranchName(db: Db, { projectId }: { projectId: string }): Promise<string | null> {
  const row = await db.branch.findFirst({ where: { projectId, stage: "production", archivedAt: null }, select: { name: true } });
  return row?.name ?? null;
}

/** The history event a branch change leaves (on the branch's history). */
export interface BranchChangeEvent {
  actorId: string;
  kind: string;
  message: string;
  data?: Record<string, string>;
}

/** Sets the pinned flag of a branch, with its event and audit entry. */
export async function setBranchPinned(
  db: Db,
  change: { projectId: string; branchId: string; pinned: boolean; event: BranchChangeEvent; audit: NewAuditEntry },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.branch.update({ where: { id: change.branchId }, data: { pinned: change.pinned } });
    await tx.event.create({ data: { projectId: change.projectId, branchId: change.branchId, ...eventData(change.event) } });
    await insertAuditEntry(tx, change.audit);
  });
}

/**
 * Moves a branch from stage `from` to `to` (and sets its push behaviour when given), with its event
 * and audit entry. `productionSlot` follows the stage (true only for production), so the unique
 * index decides a race between two moves to production. Nothing is written unless the branch is
 * still live and still on `from`.
 *   moved — done; changed — the branch was moved or archived meanwhile; production_taken — another
 *   branch became the production branch meanwhile.
 */
export async function moveBranchToStage(
  db: Db,
  move: {
    projectId: string;
    branchId: string;
    from: Stage;
    to: Stage;
    pushBehavior?: PushBehavior;
    event: BranchChangeEvent;
    audit: NewAuditEntry;
  },
): Promise<"moved" | "changed" | "production_taken"> {
  try {
    return await db.$transaction(async (tx) => {
      const updated = await tx.branch.updateMany({
        where: { id: move.branchId, stage: move.from, archivedAt: null },
        data: {
          stage: move.to,
          productionSlot: move.to === "production" ? true : null,
          ...(move.pushBehavior ? { pushBehavior: move.pushBehavior } : {}),
        },
      });
      if (updated.count !== 1) return "changed";
      await tx.event.create({ data: { projectId: move.projectId, branchId: move.branchId, ...eventData(move.event) } });
      await insertAuditEntry(tx, move.audit);
      return "moved";
    });
  } catch (e) {
    if (isUniqueViolation(e)) return "production_taken";
    throw e;
  }
}

function eventData(event: BranchChangeEvent) {
  return {
    actorId: event.actorId,
    kind: event.kind,
    message: event.message,
    ...(event.data ? { data: event.data as Prisma.InputJsonValue } : {}),
  };
}
