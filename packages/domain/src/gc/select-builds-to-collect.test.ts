import { describe, expect, it } from "vitest";
import { buildStates, inProgressStates, type Stage } from "../builds";
import { DomainError } from "../errors";
import { type BuildForGc, collectionDueAt, selectBuildsToCollect } from "./select-builds-to-collect";

const now = new Date("2026-06-30T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

function build(over: Partial<BuildForGc> & { id: string; stage: Stage }): BuildForGc {
  return { lastUsedAt: null, createdAt: daysAgo(200), state: "running", pinned: false, ...over };
}
const ids = (builds: BuildForGc[], policy = {}) => selectBuildsToCollect({ builds, now, policy }).map((c) => c.id);

describe("selectBuildsToCollect", () => {
  it("collects development builds after 3 days without use, counting from creation if never used", () => {
    const builds = [
      build({ id: "used-4d", stage: "development", lastUsedAt: daysAgo(4) }),
      build({ id: "used-2d", stage: "development", lastUsedAt: daysAgo(2) }),
      build({ id: "used-exactly-3d", stage: "development", lastUsedAt: daysAgo(3) }),
      build({ id: "new-never-used", stage: "development", createdAt: daysAgo(1) }),
      build({ id: "old-never-used", stage: "development", createdAt: daysAgo(10) }),
    ];
    const result = selectBuildsToCollect({ builds, now });
    expect(result.map((c) => c.id)).toEqual(["old-never-used", "used-4d", "used-exactly-3d"]);
    expect(result[0]).toEqual({
      id: "old-never-used",
      reason: "development_idle",
      dueAt: daysAgo(7),
      message: "Development build never used for 10 days (limit 3); garbage-collected.",
    });
    expect(result[1]?.message).toBe("Development build unused for 4 days (limit 3); garbage-collected.");
  });

  it("collects staging builds 90 days after creation, even if used recently", () => {
    const builds = [
      build({ id: "s-91d", stage: "staging", createdAt: daysAgo(91), lastUsedAt: daysAgo(0) }),
      build({ id: "s-89d", stage: "staging", createdAt: daysAgo(89), lastUsedAt: null }),
    ];
    const result = selectBuildsToCollect({ builds, now });
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ id: "s-91d", reason: "staging_expired", dueAt: daysAgo(1) });
    expect(result[0]?.message).toMatch(/created 91 days ago \(limit 90\).*Rebuild the branch/);
  });

  it("never collects production or pinned builds", () => {
    const builds = [
      build({ id: "prod", stage: "production", createdAt: daysAgo(1000) }),
      build({ id: "pinned-dev", stage: "development", pinned: true }),
      build({ id: "pinned-staging", stage: "staging", pinned: true }),
    ];
    expect(ids(builds)).toEqual([]);
    for (const b of builds) expect(collectionDueAt({ build: b })).toBeNull();
  });

  it("never collects a build in progress, but does collect stopped, failed and cancelled ones", () => {
    const builds = buildStates.map((state) => build({ id: state, stage: "development", state, lastUsedAt: daysAgo(30) }));
    const collected = ids(builds);
    expect(collected.sort()).toEqual(buildStates.filter((s) => !inProgressStates.includes(s)).sort());
    expect(collected).toEqual(expect.arrayContaining(["running", "stopped", "failed", "cancelled"]));
  });

  it("follows a custom policy", () => {
    const builds = [
      build({ id: "dev", stage: "development", lastUsedAt: daysAgo(2) }),
      build({ id: "stg", stage: "staging", createdAt: daysAgo(40) }),
    ];
    expect(ids(builds, { developmentIdleDays: 1, stagingMaxAgeDays: 30 }).sort()).toEqual(["dev", "stg"]);
    expect(ids(builds, { developmentIdleDays: 7 })).toEqual([]);
    expect(ids(builds, { developmentIdleDays: 0.5 })).toEqual(["dev"]);
  });

  it("keeps builds whose last use lies in the future (clock skew)", () => {
    expect(ids([build({ id: "x", stage: "development", lastUsedAt: daysAgo(-1) })])).toEqual([]);
  });

  it("refuses nonsense policies", () => {
    expect(() => selectBuildsToCollect({ builds: [], now, policy: { developmentIdleDays: 0 } })).toThrow(DomainError);
    expect(() => selectBuildsToCollect({ builds: [], now, policy: { stagingMaxAgeDays: Number.NaN } })).toThrow(/positive number/);
    expect(() => selectBuildsToCollect({ builds: [], now: new Date("x") })).toThrow(/Invalid current date/);
  });
});
