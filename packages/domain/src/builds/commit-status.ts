import type { Stage } from "./steps";

/**
 * GitHub commit statuses of builds (seed "GitHub commit statuses"; issue 17 item 5): every build
 * posts `pending` when it starts and its verdict when it ends, on the built commit, one context per
 * stage. Pure: the worker's `github.commit-status` job turns a build into the status it posts.
 */

/** The states GitHub accepts on POST /repos/{owner}/{repo}/statuses/{sha}. */
export const commitStatusStates = ["pending", "success", "failure", "error"] as const;
export type CommitStatusState = (typeof commitStatusStates)[number];

/**
 * What a build reports: `pending` at start; green/yellow/red at its verdict; `infrastructure` when
 * the platform failed it (a worker crash, a build given up after repeated interruptions) and
 * `cancelled` when a user stopped it — neither says anything about the commit, hence `error`.
 */
export const commitStatusVerdicts = ["pending", "green", "yellow", "red", "infrastructure", "cancelled"] as const;
export type CommitStatusVerdict = (typeof commitStatusVerdicts)[number];

/** GitHub refuses a description over 140 characters. */
export const COMMIT_STATUS_DESCRIPTION_MAX = 140;

export interface CommitStatus {
  state: CommitStatusState;
  /** `slipway/<stage>`: a push built in development then staging shows both. */
  context: string;
  description: string;
}

export function commitStatusContext(stage: Stage): string {
  return `slipway/${stage}`;
}

export function commitStatusState(verdict: CommitStatusVerdict): CommitStatusState {
  switch (verdict) {
    case "pending":
      return "pending";
    case "green":
    case "yellow":
      return "success";
    case "red":
      return "failure";
    case "infrastructure":
    case "cancelled":
      return "error";
  }
}

/** "45s", "3m 05s", "1h 02m": short enough for a status description. */
export function formatBuildDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * The status a build posts. `number` names the build ("Build #12 passed in 3m 05s");
 * `durationMs` is from its start to its verdict (none while pending); `reason` (red,
 * infrastructure) is appended when it fits the 140 characters GitHub allows.
 */
export function commitStatusFor(build: {
  stage: Stage;
  number: number;
  verdict: CommitStatusVerdict;
  durationMs?: number | null;
  reason?: string | null;
}): CommitStatus {
  const context = commitStatusContext(build.stage);
  const state = commitStatusState(build.verdict);
  const took = build.durationMs == null ? "" : ` in ${formatBuildDuration(build.durationMs)}`;
  const head = `Build #${build.number}`;
  const text: Record<CommitStatusVerdict, string> = {
    pending: `${head} is building`,
    green: `${head} passed${took}`,
    yellow: `${head} passed with warnings${took}`,
    red: `${head} failed${took}`,
    infrastructure: `${head} could not finish (platform error)${took}`,
    cancelled: `${head} was cancelled${took}`,
  };
  let description = text[build.verdict];
  const reason = build.reason?.replace(/\s+/g, " ").trim();
  if (reason && (build.verdict === "red" || build.verdict === "infrastructure")) description = `${description}: ${reason}`;
  return { state, context, description: truncate(description, COMMIT_STATUS_DESCRIPTION_MAX) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Whether a build's statuses are posted: a GitHub project with the setting on (the default) and
 * credentials that can write them (a token or an App installation).
 */
export function postsCommitStatuses(project: { repoKind: string; commitStatuses: boolean; hasGitHubCredentials: boolean }): boolean {
  return project.repoKind === "github" && project.commitStatuses && project.hasGitHubCredentials;
}
