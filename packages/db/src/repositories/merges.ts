// Merges run as a worker job (`branch.merge`): the web checks who may merge what and enqueues
// ids; the worker reloads what it needs here, runs git, and records the outcome as history events
// (each tagged with the merge's id, which is how the web finds the result) and an audit entry.
import type { Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";

export interface MergeBranchRef {
  id: string;
  name: string;
  stage: Stage;
}

/** What a merge job needs, reloaded by id: the repository, both branches and who asked. */
export interface MergeSubject {
  projectId: string;
  repoUrl: string;
  source: MergeBranchRef;
  target: MergeBranchRef;
  actor: { id: string; login: string; name: string | null };
}

/** Null when a branch is gone or archived, the branches are of different projects, or the user is gone. */
export async function loadMergeSubject(
  db: Db,
  ids: { sourceBranchId: string; targetBranchId: string; actorId: string },
): Promise<MergeSubject | null> {
  const select = { id: true, name: true, stage: true, projectId: true, project: { select: { repoUrl: true } } } as const;
  const [source, target, actor] = await Promise.all([
    db.branch.findFirst({ where: { id: ids.sourceBranchId, archivedAt: null }, select }),
    db.branch.findFirst({ where: { id: ids.targetBranchId, archivedAt: null }, select }),
    db.user.findUnique({ where: { id: ids.actorId }, select: { id: true, login: true, name: true } }),
  ]);
  if (!source || !target || !actor || source.projectId !== target.projectId) return null;
  const ref = (b: typeof source): MergeBranchRef => ({ id: b.id, name: b.name, stage: b.stage });
  return { projectId: source.projectId, repoUrl: source.project.repoUrl, source: ref(source), target: ref(target), actor };
}

/** The outcome of one merge job as its history events record it. */
export type MergeRecord =
  | { kind: "merged"; from: string; into: string; revision: string; previous: string }
  | { kind: "up_to_date"; from: string; into: string }
  | { kind: "conflict"; from: string; into: string; files: string[] }
  | { kind: "failed"; from: string; into: string; message: string };

const kindOf: Record<MergeRecord["kind"], string> = {
  merged: "branch.merge",
  up_to_date: "branch.merge",
  conflict: "branch.merge_conflict",
  failed: "branch.merge_failed",
};

/**
 * Writes a merge job's outcome: the target's history event (and the source's "merged into" event
 * for a merge), and the audit entry of a merge or a conflict, in one transaction.
 */
export async function recordMergeOutcome(
  db: Db,
  options: {
    mergeId: string;
    subject: MergeSubject;
    record: MergeRecord;
    messages: { target: string; source?: string };
    ip: string | null;
  },
): Promise<void> {
  const { mergeId, subject, record, messages, ip } = options;
  const { projectId, actor } = subject;
  const target = `${record.from} → ${record.into}`;
  await db.$transaction(async (tx) => {
    const event = (branchId: string, kind: string, message: string, data: Prisma.InputJsonObject) =>
      tx.event.create({ data: { projectId, branchId, actorId: actor.id, kind, message, data: { ...data, mergeId } } });
    if (record.kind === "merged") {
      const data = { from: record.from, into: record.into, revision: record.revision, previous: record.previous };
      await event(subject.target.id, kindOf.merged, messages.target, data);
      await event(subject.source.id, "branch.merged_into", messages.source ?? messages.target, data);
      await insertAuditEntry(tx, { projectId, actorId: actor.id, action: "branch.merge", target, details: data, ip });
    } else if (record.kind === "conflict") {
      await event(subject.target.id, kindOf.conflict, messages.target, { from: record.from, files: record.files });
      await insertAuditEntry(tx, {
        projectId,
        actorId: actor.id,
        action: "branch.merge_conflict",
        target,
        details: { from: record.from, into: record.into, files: record.files },
        ip,
      });
    } else if (record.kind === "up_to_date") {
      await event(subject.target.id, kindOf.up_to_date, messages.target, { from: record.from });
    } else {
      await event(subject.target.id, kindOf.failed, messages.target, { from: record.from, error: record.message });
    }
  });
}

/** The recorded outcome of a merge job, or null while it has not finished. */
export async function findMergeOutcome(
  db: Db,
  { projectId, mergeId }: { projectId: string; mergeId: string },
): Promise<MergeRecord | null> {
  const row = await db.event.findFirst({
    where: {
      projectId,
      kind: { in: ["branch.merge", "branch.merge_conflict", "branch.merge_failed"] },
      data: { path: ["mergeId"], equals: mergeId },
    },
    select: { kind: true, data: true, branch: { select: { name: true } } },
  });
  if (!row) return null;
  const data = (row.data ?? {}) as Record<string, unknown>;
  const str = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : "");
  const from = str("from");
  const into = row.branch?.name ?? str("into");
  if (row.kind === "branch.merge_conflict") {
    const files = Array.isArray(data.files) ? data.files.filter((f): f is string => typeof f === "string") : [];
    return { kind: "conflict", from, into, files };
  }
  if (row.kind === "branch.merge_failed") return { kind: "failed", from, into, message: str("error") };
  if (str("revision")) return { kind: "merged", from, into, revision: str("revision"), previous: str("previous") };
  return { kind: "up_to_date", from, into };
}
