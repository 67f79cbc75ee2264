import { describe, expect, it } from "vitest";
import {
  COMMIT_STATUS_DESCRIPTION_MAX,
  commitStatusFor,
  commitStatusState,
  commitStatusVerdicts,
  formatBuildDuration,
  postsCommitStatuses,
} from "./commit-status";

describe("commit statuses of builds", () => {
  it("maps each verdict to GitHub's state: yellow is success, red failure, platform failures and cancels error", () => {
    expect(Object.fromEntries(commitStatusVerdicts.map((v) => [v, commitStatusState(v)]))).toEqual({
      pending: "pending",
      green: "success",
      yellow: "success",
      red: "failure",
      infrastructure: "error",
      cancelled: "error",
    });
  });

  it("uses one context per stage", () => {
    for (const stage of ["development", "staging", "production"] as const)
      expect(commitStatusFor({ stage, number: 1, verdict: "pending" }).context).toBe(`slipway/${stage}`);
  });

  it("describes the verdict and the duration; yellow says it passed with warnings", () => {
    expect(commitStatusFor({ stage: "staging", number: 7, verdict: "pending" })).toEqual({
      state: "pending",
      context: "slipway/staging",
      description: "Build #7 is building",
    });
    expect(commitStatusFor({ stage: "development", number: 12, verdict: "green", durationMs: 185_000 }).description).toBe(
      "Build #12 passed in 3m 05s",
    );
    const yellow = commitStatusFor({ stage: "production", number: 3, verdict: "yellow", durationMs: 42_400, reason: "1 warning" });
    expect(yellow).toEqual({ state: "success", context: "slipway/production", description: "Build #3 passed with warnings in 42s" });
    expect(
      commitStatusFor({ stage: "development", number: 4, verdict: "red", durationMs: 61_000, reason: "tests\nfailed" }).description,
    ).toBe("Build #4 failed in 1m 01s: tests failed");
    expect(commitStatusFor({ stage: "development", number: 5, verdict: "cancelled", durationMs: 1000 }).description).toBe(
      "Build #5 was cancelled in 1s",
    );
    expect(commitStatusFor({ stage: "development", number: 6, verdict: "infrastructure", reason: "internal error: x" })).toEqual({
      state: "error",
      context: "slipway/development",
      description: "Build #6 could not finish (platform error): internal error: x",
    });
  });

  it("keeps descriptions within GitHub's 140 characters", () => {
    const long = commitStatusFor({ stage: "development", number: 1, verdict: "red", durationMs: 1, reason: "x".repeat(500) });
    expect(long.description).toHaveLength(COMMIT_STATUS_DESCRIPTION_MAX);
    expect(long.description.endsWith("…")).toBe(true);
  });

  it("formats durations in seconds, minutes and hours", () => {
    expect(formatBuildDuration(0)).toBe("0s");
    expect(formatBuildDuration(59_499)).toBe("59s");
    expect(formatBuildDuration(3_600_000 + 120_000)).toBe("1h 02m");
    expect(formatBuildDuration(-5)).toBe("0s");
  });

  it("posts only for GitHub projects with the setting on and credentials", () => {
    const base = { repoKind: "github", commitStatuses: true, hasGitHubCredentials: true };
    expect(postsCommitStatuses(base)).toBe(true);
    expect(postsCommitStatuses({ ...base, commitStatuses: false })).toBe(false);
    expect(postsCommitStatuses({ ...base, hasGitHubCredentials: false })).toBe(false);
    expect(postsCommitStatuses({ ...base, repoKind: "generic" })).toBe(false);
  });
});
