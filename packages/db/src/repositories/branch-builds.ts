// Builds a user or a stage move asks for (Build now, Rebuild, the build a new stage needs), as
// opposed to those a push queues (pushes.ts). Each writes the queued build, the branch history
// event and, for a user's request, the audit entry in one transaction; the caller enqueues the
// `build.run` job after commit (startBuild).
import type { Stage } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";
import { queueBuildInTx, type QueuedBuild } from "./builds";
import { insertEvent } from "./events";

/** A branch the worker builds on request (Build now, Rebuild): where its head is read from. */
export interface BranchBuildSubject {
  id: string;
  name: string;
  projectId: string;
  stage: Stage;
  headRevision: string | null;
  archivedAt: Date | null;
  repoUrl: string;
  actor: { id: string; login: string } | null;
}

export async function findBranchBuildSubject(
  db: Db,
  { branchId, actorId }: { branchId: string; actorId: string },
): Promise<BranchBuildSubject | null> {
  const row = await db.branch.findUnique({
    where: { id: branchId },
    select: {
      id: true,
      name: true,
      projectId: true,
      stage: true,
      headRevision: true,
      archivedAt: true,
      project: { select: { repoUrl: true } },
    },
  });
  if (!row) return null;
  const actor = await db.user.findUnique({ where: { id: actorId }, select: { id: true, login: true } });
  const { project, ...branch } = row;
  return { ...branch, repoUrl: project.repoUrl, actor };
}

export interface RequestedBuildOutcome {
  /** The build queued; null when one is in progress (it builds the recorded head when it ends). */
  build: QueuedBuild | null;
  /** True when the head read in the repository differed from the recorded one (now recorded). */
  headMoved: boolean;
}

/**
 * Records the head the worker read in the repository for a Build now / Rebuild request and queues
 * a build of it, with the branch history event and the requester's audit entry.
 */
export async function queueRequestedBuild(
  db: Db,
  input: { subject: BranchBuildSubject; revision: string; ip: string | null },
): Promise<RequestedBuildOutcome> {
  const { subject, revision } = input;
  const login = subject.actor?.login ?? "someone";
  const short = revision.slice(0, 8);
  return db.$transaction(async (tx) => {
    const headMoved = subject.headRevision !== revision;
    if (headMoved) {
      await tx.branch.update({ where: { id: subject.id }, data: { headRevision: revision, lastActivityAt: new Date() } });
      await insertEvent(tx, {
        projectId: subject.projectId,
        branchId: subject.id,
        actorId: subject.actor?.id ?? null,
        kind: "push",
        message: `Head ${short} read from the repository for ${login}'s build request${subject.headRevision ? ` (was ${subject.headRevision.slice(0, 8)})` : ""}.`,
        data: { revision },
      });
    }
    const build = await queueBuildInTx(tx, { projectId: subject.projectId, branchId: subject.id, revision });
    await insertEvent(tx, {
      projectId: subject.projectId,
      branchId: subject.id,
      buildId: build?.id ?? null,
      actorId: subject.actor?.id ?? null,
      kind: "build.rebuild",
      message: build
        ? `Build of ${subject.name} at ${short} requested by ${login} (build #${build.number}).`
        : `Build of ${subject.name} at ${short} requested by ${login}: a build is in progress; the head is built when it ends.`,
      data: { revision },
    });
    if (build) {
      await insertAuditEntry(tx, {
        projectId: subject.projectId,
        actorId: subject.actor?.id ?? null,
        action: "build.rebuild",
        target: `${subject.name} build #${build.number}`,
        details: { branch: subject.name, stage: subject.stage, revision, head: true },
        ip: input.ip,
      });
    }
    return { build, headMoved };
  });
}

/** Records in the branch's history that a requested build could not start (no such branch, git failed). */
export async function recordBuildRequestFailure(db: Db, input: { subject: BranchBuildSubject; reason: string }): Promise<void> {
  await insertEvent(db, {
    projectId: input.subject.projectId,
    branchId: input.subject.id,
    actorId: input.subject.actor?.id ?? null,
    kind: "build.request_failed",
    message: `Build of ${input.subject.name} requested by ${input.subject.actor?.login ?? "someone"} did not start: ${input.reason}`,
  });
}

/**
 * Queues the build a branch needs in the stage it was just moved to (of its recorded head), with
 * a history event; null when the branch has no recorded head yet or a build is in progress.
 */
export async function queueStageBuild(
  db: Db,
  input: { projectId: string; branchId: string; actorId: string | null; stageLabel: string },
): Promise<QueuedBuild | null> {
  return db.$transaction(async (tx) => {
    const branch = await tx.branch.findFirst({
      where: { id: input.branchId, projectId: input.projectId, archivedAt: null },
      select: { headRevision: true },
    });
    if (!branch?.headRevision) return null;
    const build = await queueBuildInTx(tx, { projectId: input.projectId, branchId: input.branchId, revision: branch.headRevision });
    if (!build) return null;
    await insertEvent(tx, {
      projectId: input.projectId,
      branchId: input.branchId,
      buildId: build.id,
      actorId: input.actorId,
      kind: "build.stage",
      message: `Build #${build.number} of ${branch.headRevision.slice(0, 8)} queued: the branch is now in ${input.stageLabel}.`,
      data: { revision: branch.headRevision, stage: build.stage },
    });
    return build;
  });
}
