import { randomUUID } from "node:crypto";
import { isDomainError } from "@slipway/domain";
import { describe, expect, it } from "vitest";
import { jobCatalog, jobNames, jobNamesOf, queueCatalog, queueNames } from "./catalog";
import { jobOptionsFor, parsePayload } from "./enqueue";
import { isRetryable } from "./start-workers";
import { DomainError } from "@slipway/domain";

describe("job catalog", () => {
  it("holds the initial jobs, each on a known queue", () => {
    expect(jobNames.sort()).toEqual([
      "backup.create",
      "backup.daily",
      "backup.export",
      "backup.import",
      "backup.inspect-upload",
      "backup.prune",
      "backup.restore",
      "backup.verify",
      "backup.verify-latest",
      "branch.build",
      "branch.delete",
      "branch.merge",
      "branch.poll",
      "branch.poll-all",
      "build.cancel",
      "build.run",
      "domain.check",
      "domain.check-all",
      "github.commit-status",
      "github.setup-project",
      "maintenance.gc",
      "maintenance.reconcile",
      "project.delete",
    ]);
    for (const name of jobNames) expect(queueNames).toContain(jobCatalog[name].queue);
    expect(jobNamesOf("builds")).toEqual(["build.run"]);
    for (const queue of queueNames) expect(queueCatalog[queue].concurrency).toBeGreaterThan(0);
  });

  it("derives BullMQ-safe dedupe keys from the payload", () => {
    const buildId = randomUUID();
    for (const name of jobNames) {
      const payloads: Partial<Record<string, Record<string, unknown>>> = {
        "backup.create": { backupId: buildId },
        "backup.restore": { backupId: buildId, targetBranchId: buildId },
        "backup.import": { branchId: buildId, upload: "upload-1.zip", confirmOverwrite: true },
        "backup.verify": { backupId: buildId },
        "backup.verify-latest": {},
        "backup.export": { backupId: buildId },
        "backup.inspect-upload": { branchId: buildId, upload: "u-1" },
        "branch.delete": { branchId: buildId },
        "branch.merge": { mergeId: buildId, sourceBranchId: buildId, targetBranchId: buildId, actorId: buildId, ip: null },
        "branch.build": { branchId: buildId, actorId: buildId, ip: null },
        "branch.poll-all": {},
        "domain.check": { domainId: buildId },
        "domain.check-all": {},
        "github.commit-status": { buildId, verdict: "pending" },
      };
      const payload =
        payloads[name] ?? (name.startsWith("build.") ? { buildId } : name.startsWith("maintenance.") ? {} : { projectId: buildId });
      const options = jobOptionsFor(name, parsePayload(name, payload));
      const key = options.jobId ?? options.deduplication?.id;
      expect(key).toBeTruthy();
      expect(key).not.toContain(":");
      expect(options.removeOnFail).toBe(false);
      expect(options.attempts).toBe(jobCatalog[name].attempts);
    }
    expect(jobOptionsFor("build.run", { buildId }).jobId).toBe(`build.run-${buildId}`);
    expect(jobOptionsFor("branch.poll", { projectId: buildId }).deduplication).toEqual({ id: `branch.poll-${buildId}` });
    expect(jobOptionsFor("backup.daily", { projectId: buildId }).backoff).toEqual({ type: "exponential", delay: 60_000 });
    expect(() => parsePayload("backup.import", { branchId: buildId, upload: "../x", confirmOverwrite: true })).toThrow(DomainError);
    expect(() => parsePayload("backup.import", { branchId: buildId, upload: "x.zip", confirmOverwrite: false })).toThrow(DomainError);
    // One commit-status job per (build, verdict): the start and the end are two jobs, a repeat is none.
    expect(jobOptionsFor("github.commit-status", { buildId, verdict: "pending" }).jobId).toBe(`github.commit-status-${buildId}-pending`);
    expect(jobOptionsFor("github.commit-status", { buildId, verdict: "red" }).jobId).toBe(`github.commit-status-${buildId}-red`);
    expect(jobOptionsFor("github.commit-status", { buildId, verdict: "red" }).attempts).toBeGreaterThan(1);
    expect(() => parsePayload("github.commit-status", { buildId, verdict: "success" })).toThrow(DomainError);
  });
});

describe("parsePayload", () => {
  it("accepts ids only and rejects anything else as invalid_input", () => {
    const buildId = randomUUID();
    expect(parsePayload("build.run", { buildId })).toEqual({ buildId });
    for (const bad of [{}, { buildId: "42" }, { buildId, branch: "main" }, null, "x"]) {
      let caught: unknown;
      try {
        parsePayload("build.run", bad);
      } catch (error) {
        caught = error;
      }
      expect(isDomainError(caught, "invalid_input")).toBe(true);
    }
    expect(() => parsePayload("maintenance.gc", { extra: 1 })).toThrow(/Invalid payload for job maintenance.gc/);
  });
});

describe("isRetryable", () => {
  it("retries transient failures only", () => {
    expect(isRetryable(new DomainError("upstream_failed", "docker down"))).toBe(true);
    expect(isRetryable(new DomainError("conflict", "busy"))).toBe(true);
    expect(isRetryable(new DomainError("invalid_state", "not implemented yet"))).toBe(false);
    expect(isRetryable(new DomainError("not_found", "gone"))).toBe(false);
    expect(isRetryable(new Error("ECONNRESET"))).toBe(true);
  });
});
