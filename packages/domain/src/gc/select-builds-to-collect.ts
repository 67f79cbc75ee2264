import { type BuildState, isInProgress, type Stage } from "../builds";
import { DomainError } from "../errors";

export interface GcPolicy {
  /** A development build is collected after this many days without use. */
  developmentIdleDays: number;
  /** A staging build is collected this many days after it was created, used or not. */
  stagingMaxAgeDays: number;
}

export const defaultGcPolicy: GcPolicy = { developmentIdleDays: 3, stagingMaxAgeDays: 90 };

export interface BuildForGc {
  id: string;
  stage: Stage;
  /** Last time someone used the build (HTTP request, connect, shell); null if never. */
  lastUsedAt: Date | null;
  createdAt: Date;
  state: BuildState;
  /** The branch (or build) is pinned: never collected. */
  pinned: boolean;
}

export type GcReason = "development_idle" | "staging_expired";

export interface BuildToCollect {
  id: string;
  reason: GcReason;
  /** When the build became collectable. */
  dueAt: Date;
  /** Sentence for the history/event log. */
  message: string;
}

const DAY_MS = 86_400_000;

function validPolicy(policy: Partial<GcPolicy>): GcPolicy {
  const rules = { ...defaultGcPolicy, ...policy };
  for (const [name, value] of Object.entries(rules)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new DomainError("invalid_input", `GC setting "${name}" must be a positive number of days, got ${String(value)}.`);
    }
  }
  return rules;
}

/**
 * When a build becomes collectable, or null if it never is (docs/product/builds-and-tests.md "Lifetimes", seed
 * branches.md): production builds never (their database is the project's data); pinned builds
 * never; development builds `developmentIdleDays` after their last use (or creation, if never used);
 * staging builds `stagingMaxAgeDays` after creation — the seed says staging databases "last up to
 * three months", so use does not extend them (rebuilding the branch gives a fresh copy).
 * This holds for the newest build of a branch too: a development branch whose only build was
 * collected is simply rebuilt on its next push or on "Rebuild".
 */
export function collectionDueAt({ build, policy = {} }: { build: BuildForGc; policy?: Partial<GcPolicy> }): Date | null {
  const rules = validPolicy(policy);
  if (build.pinned || build.stage === "production") return null;
  if (build.stage === "development") {
    return new Date((build.lastUsedAt ?? build.createdAt).getTime() + rules.developmentIdleDays * DAY_MS);
  }
  return new Date(build.createdAt.getTime() + rules.stagingMaxAgeDays * DAY_MS);
}

const days = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * The builds whose container, database and volumes the garbage collector should remove now.
 * Never: production, pinned, or in-progress builds (a queued or running pipeline owns its
 * resources; it is reconsidered on the next pass). Pass only builds whose resources still exist.
 * Result: oldest due first.
 */
export function selectBuildsToCollect({
  builds,
  now,
  policy = {},
}: {
  builds: readonly BuildForGc[];
  now: Date;
  policy?: Partial<GcPolicy>;
}): BuildToCollect[] {
  const rules = validPolicy(policy);
  if (Number.isNaN(now.getTime())) throw new DomainError("invalid_input", "Invalid current date.");
  const out: BuildToCollect[] = [];
  for (const build of builds) {
    if (isInProgress(build.state)) continue;
    const dueAt = collectionDueAt({ build, policy: rules });
    if (dueAt === null || Number.isNaN(dueAt.getTime()) || dueAt.getTime() > now.getTime()) continue;
    if (build.stage === "development") {
      const since = build.lastUsedAt ?? build.createdAt;
      const used = build.lastUsedAt === null ? "never used" : "unused";
      out.push({
        id: build.id,
        reason: "development_idle",
        dueAt,
        message: `Development build ${used} for ${days(now.getTime() - since.getTime())} days (limit ${rules.developmentIdleDays}); garbage-collected.`,
      });
    } else {
      out.push({
        id: build.id,
        reason: "staging_expired",
        dueAt,
        message: `Staging build created ${days(now.getTime() - build.createdAt.getTime())} days ago (limit ${rules.stagingMaxAgeDays}); garbage-collected. Rebuild the branch to get a fresh copy of production.`,
      });
    }
  }
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
