// History events (the Event table): what happened to a project, a branch or a build, in words, with
// optional structured details. Append-only from the apps' point of view.
import type { Prisma } from "../generated/prisma/client";
import type { Db, DbTx } from "../client";

export interface NewEvent {
  projectId: string;
  branchId?: string | null;
  buildId?: string | null;
  /** The user who acted; null for the platform itself. */
  actorId?: string | null;
  /** Dotted kind, e.g. "backup.restored", "build.gc". */
  kind: string;
  message: string;
  /** A JSON document of details. */
  data?: Record<string, unknown> | null;
}

/** Appends one history event (inside the caller's transaction when given one). */
export async function insertEvent(db: Db | DbTx, event: NewEvent): Promise<void> {
  await db.event.create({
    data: {
      projectId: event.projectId,
      ...(event.branchId !== undefined ? { branchId: event.branchId } : {}),
      ...(event.buildId !== undefined ? { buildId: event.buildId } : {}),
      ...(event.actorId !== undefined ? { actorId: event.actorId } : {}),
      kind: event.kind,
      message: event.message,
      ...(event.data !== undefined && event.data !== null ? { data: event.data as Prisma.InputJsonValue } : {}),
    },
  });
}
