import { eventLabel, type BuildResult, type BuildState } from "@slipway/domain";

/** A commit (from the builds of the branch) or a platform event, for the History tab. */
export type HistoryEntry =
  | {
      kind: "commit";
      at: Date;
      revision: string;
      message: string | null;
      author: string | null;
      build: { id: string; number: number; state: BuildState; result: BuildResult | null } | null;
    }
  | {
      kind: "event";
      at: Date;
      eventKind: string;
      /** The kind in words ("Backup restored"). */ label: string;
      message: string;
      actor: string | null;
    };

interface BuildRow {
  id: string;
  number: number;
  revision: string;
  commitMessage: string | null;
  commitAuthor: string | null;
  state: BuildState;
  result: BuildResult | null;
  createdAt: Date;
}

interface EventRow {
  kind: string;
  message: string;
  data: unknown;
  createdAt: Date;
  actor: { login: string } | null;
}

/**
 * The branch's history, newest first: one commit entry per build (its revision, message, author
 * and the build's status), and the platform's events (stage changes, merges, imports, restores,
 * backups, builds ready/failed/cancelled/resumed). A push is shown as its build; a push without a
 * build (push behaviour "do nothing") stays as a commit without status.
 */
export function historyTimeline(options: { builds: readonly BuildRow[]; events: readonly EventRow[] }): HistoryEntry[] {
  const built = new Set(options.builds.map((b) => b.revision));
  const entries: HistoryEntry[] = options.builds.map((b) => ({
    kind: "commit",
    at: b.createdAt,
    revision: b.revision,
    message: b.commitMessage,
    author: b.commitAuthor,
    build: { id: b.id, number: b.number, state: b.state, result: b.result },
  }));
  for (const e of options.events) {
    const revision = e.kind === "push" && e.data && typeof e.data === "object" ? (e.data as { revision?: unknown }).revision : undefined;
    if (e.kind === "push" && typeof revision === "string") {
      if (!built.has(revision))
        entries.push({ kind: "commit", at: e.createdAt, revision, message: e.message, author: e.actor?.login ?? null, build: null });
      continue;
    }
    entries.push({
      kind: "event",
      at: e.createdAt,
      eventKind: e.kind,
      label: eventLabel(e.kind),
      message: e.message,
      actor: e.actor?.login ?? null,
    });
  }
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** The revision's page on GitHub when the repository is there (https or ssh URL), else null. */
export function commitUrl(repoUrl: string, revision: string): string | null {
  const m =
    /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      repoUrl.trim(),
    );
  if (!m || !/^[0-9a-f]{7,64}$/i.test(revision)) return null;
  return `https://github.com/${m[1]}/${m[2]}/commit/${revision}`;
}
