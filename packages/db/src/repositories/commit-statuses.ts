// GitHub commit statuses of builds (issue 17 item 5): the `github.commit-status` job reloads the
// build it reports here and records each outcome as a history event of the build — the build page
// shows the latest one. Nothing here touches the build's state or verdict.
import type { BuildResult, BuildState, CommitStatusState, CommitStatusVerdict, Stage } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";
import { insertEvent } from "./events";

/** What the commit-status job needs, reloaded by build id. */
export interface CommitStatusSubject {
  id: string;
  number: number;
  stage: Stage;
  state: BuildState;
  result: BuildResult | null;
  revision: string;
  failureReason: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  branchId: string;
  project: {
    id: string;
    slug: string;
    repoKind: string;
    githubOwner: string | null;
    githubRepo: string | null;
    commitStatuses: boolean;
  };
}

export function loadCommitStatusSubject(db: Db, buildId: string): Promise<CommitStatusSubject | null> {
  return db.build.findUnique({
    where: { id: buildId },
    select: {
      id: true,
      number: true,
      stage: true,
      state: true,
      result: true,
      revision: true,
      failureReason: true,
      startedAt: true,
      finishedAt: true,
      branchId: true,
      project: {
        select: { id: true, slug: true, repoKind: true, githubOwner: true, githubRepo: true, commitStatuses: true },
      },
    },
  });
}

export const COMMIT_STATUS_POSTED = "github.status_posted";
export const COMMIT_STATUS_FAILED = "github.status_failed";

/** One post of a status, as recorded on the build. */
export interface CommitStatusRecord {
  verdict: CommitStatusVerdict;
  state: CommitStatusState;
  context: string;
  description: string;
}

/** Whether this (build, verdict) was already posted: a re-queued job posts nothing twice. */
export async function hasPostedCommitStatus(
  db: Db,
  { buildId, verdict }: { buildId: string; verdict: CommitStatusVerdict },
): Promise<boolean> {
  const row = await db.event.findFirst({
    where: { buildId, kind: COMMIT_STATUS_POSTED, data: { path: ["verdict"], equals: verdict } },
    select: { id: true },
  });
  return row !== null;
}

export async function recordCommitStatusPosted(
  db: Db,
  subject: Pick<CommitStatusSubject, "id" | "branchId" | "project">,
  status: CommitStatusRecord,
): Promise<void> {
  await insertEvent(db, {
    projectId: subject.project.id,
    branchId: subject.branchId,
    buildId: subject.id,
    kind: COMMIT_STATUS_POSTED,
    message: `GitHub commit status "${status.state}" posted (${status.context})`,
    data: { ...status },
  });
}

/**
 * The post failed for good (retries used up, or GitHub refused it): shown on the build page. The
 * error is GitHub's answer (status and message), never a credential.
 */
export async function recordCommitStatusFailed(
  db: Db,
  subject: Pick<CommitStatusSubject, "id" | "branchId" | "project">,
  status: CommitStatusRecord & { error: string; attempts: number },
): Promise<void> {
  await insertEvent(db, {
    projectId: subject.project.id,
    branchId: subject.branchId,
    buildId: subject.id,
    kind: COMMIT_STATUS_FAILED,
    message:
      `GitHub commit status "${status.state}" (${status.context}) could not be posted after ${status.attempts} attempt${status.attempts === 1 ? "" : "s"}: ${status.error}`.slice(
        0,
        500,
      ),
    data: { ...status },
  });
}

/** The latest commit-status outcome of a build, for its page: null when none was posted or tried. */
export interface CommitStatusLine {
  ok: boolean;
  state: string;
  context: string;
  message: string;
  at: Date;
}

export async function findLatestCommitStatus(db: Db, buildId: string): Promise<CommitStatusLine | null> {
  const row = await db.event.findFirst({
    where: { buildId, kind: { in: [COMMIT_STATUS_POSTED, COMMIT_STATUS_FAILED] } },
    orderBy: { createdAt: "desc" },
    select: { kind: true, message: true, data: true, createdAt: true },
  });
  if (!row) return null;
  const data = (row.data ?? {}) as Record<string, unknown>;
  const str = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : "");
  return { ok: row.kind === COMMIT_STATUS_POSTED, state: str("state"), context: str("context"), message: row.message, at: row.createdAt };
}

/** The Settings page's "GitHub commit statuses" card. */
export interface CommitStatusesSetting {
  repoKind: string;
  enabled: boolean;
  /** A token or an App installation that can write statuses is configured. */
  hasCredentials: boolean;
}

export async function findCommitStatusesSetting(db: Db, projectId: string): Promise<CommitStatusesSetting | null> {
  const row = await db.project.findUnique({
    where: { id: projectId },
    select: { repoKind: true, commitStatuses: true, githubTokenEnc: true },
  });
  if (!row) return null;
  // The platform's GitHub App counts when it exists (whether it is installed on the repository is GitHub's to say).
  const app = await db.gitHubApp.findFirst({ select: { appId: true } });
  return { repoKind: row.repoKind, enabled: row.commitStatuses, hasCredentials: row.githubTokenEnc !== null || app !== null };
}

/** Turns the setting on or off, with its audit entry, in one transaction. */
export async function saveCommitStatusesSetting(
  db: Db,
  options: { projectId: string; enabled: boolean; actorId: string | null; target: string; ip: string | null },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const before = await tx.project.findUnique({ where: { id: options.projectId }, select: { commitStatuses: true } });
    if (!before || before.commitStatuses === options.enabled) return false;
    await tx.project.update({ where: { id: options.projectId }, data: { commitStatuses: options.enabled } });
    await insertAuditEntry(tx, {
      projectId: options.projectId,
      actorId: options.actorId,
      action: "project.settings",
      target: options.target,
      details: { commitStatuses: { from: before.commitStatuses, to: options.enabled } },
      ip: options.ip,
    });
    return true;
  });
}
