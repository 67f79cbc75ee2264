import { describe, expect, it } from "vitest";
import {
  buildOwnsDatabase,
  buildHostname,
  buildResourceNames,
  containerName,
  databaseName,
  normalizeBaseDomain,
  projectOfName,
  volumeName,
} from "./build-names";

const isLabel = (s: string) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s);

describe("build resource names", () => {
  it("names a development build", () => {
    expect(
      buildResourceNames({ project: "acme", branch: "main", buildNumber: 12, stage: "development", baseDomain: "slipway.localhost" }),
    ).toEqual({
      buildLabel: "acme--main-12",
      hostname: "acme--main-12.slipway.localhost",
      databaseName: "acme--main-12",
      containerName: "slipway-acme--main-12",
      volumeName: "slipway-acme--main-12-data",
    });
  });

  it("names production after the project; its containers stay per build", () => {
    expect(
      buildResourceNames({ project: "acme", branch: "production", buildNumber: 3, stage: "production", baseDomain: "Example.COM." }),
    ).toEqual({
      buildLabel: "acme--production-3",
      hostname: "acme.example.com",
      databaseName: "acme",
      containerName: "slipway-acme--production-3",
      volumeName: "slipway-acme-data",
    });
  });

  it("keeps every label within 63 characters for long projects, branches and build numbers", () => {
    const project = "p".repeat(40);
    for (const branch of ["main", "Feature/" + "X".repeat(200), "日本語/ブランチ", "release/17.0"]) {
      for (const buildNumber of [1, 99_999, 2_147_483_647]) {
        const input = { project, branch, buildNumber, stage: "staging" as const, baseDomain: "slipway.localhost" };
        const host = buildHostname(input);
        const [first] = host.split(".");
        expect(first!.length).toBeLessThanOrEqual(63);
        expect(isLabel(first!)).toBe(true);
        const db = databaseName(input);
        expect(new TextEncoder().encode(db).length).toBeLessThanOrEqual(63);
        expect(db).toBe(first);
        expect(first!.endsWith(`-${buildNumber}`)).toBe(true);
      }
    }
  });

  it("is deterministic and distinguishes branches", () => {
    const a = { project: "acme", buildNumber: 1, stage: "development" as const, baseDomain: "x.test" };
    expect(buildHostname({ ...a, branch: "feature/x" })).toBe(buildHostname({ ...a, branch: "feature/x" }));
    expect(buildHostname({ ...a, branch: "feature/x" })).not.toBe(buildHostname({ ...a, branch: "feature-x" }));
  });

  it("names one-off step containers and validates inputs", () => {
    expect(containerName({ project: "acme", branch: "main", buildNumber: 4, step: "install" })).toBe("slipway-acme--main-4-install");
    expect(() => containerName({ project: "acme", branch: "main", buildNumber: 4, step: "x-2" })).toThrow("invalid step");
    expect(() => containerName({ project: "acme", branch: "main", buildNumber: 4, step: "Bad Step" })).toThrow("invalid step");
    expect(() => databaseName({ project: "Acme", branch: "main", buildNumber: 1, stage: "development" })).toThrow("lowercase");
    expect(() => databaseName({ project: "acme", branch: "main", buildNumber: 0, stage: "development" })).toThrow("build number");
    expect(() => volumeName({ databaseName: "../etc" })).toThrow("invalid database name");
    expect(() => normalizeBaseDomain("bad_domain.com")).toThrow("invalid base domain");
    expect(() => normalizeBaseDomain("")).toThrow("invalid base domain");
  });

  it("never gives two different (project, branch, build) the same name (finding C6)", () => {
    // The collision seen before: project `q` branch `a` build 1 vs project `q-a-1`'s production.
    const dev = buildResourceNames({ project: "qqq", branch: "a", buildNumber: 1, stage: "development", baseDomain: "x.test" });
    const prod = buildResourceNames({ project: "qqq-a-1", branch: "main", buildNumber: 1, stage: "production", baseDomain: "x.test" });
    expect(dev.databaseName).not.toBe(prod.databaseName);
    expect(dev.hostname).not.toBe(prod.hostname);
    expect(dev.volumeName).not.toBe(prod.volumeName);
    // Exhaustive over small alphabets: projects, branches (hyphens, case, slashes) and numbers.
    const projects = ["abc", "abc-a", "abc-a-1", "abc-1", "ab-c", "abc-a-b"];
    const branches = ["a", "a-1", "a-b", "1", "A", "a/1", "a--b", "b", "main", "a-1-2"];
    const seen = new Map<string, string>();
    for (const project of projects) {
      for (const branch of branches) {
        for (const buildNumber of [1, 2, 12, 21]) {
          for (const stage of ["production", "staging", "development"] as const) {
            const n = buildResourceNames({ project, branch, buildNumber, stage, baseDomain: "x.test" });
            // Production shares one database per project across its builds; everything else is per build.
            const owner = stage === "production" ? `${project}/production` : `${project}/${branch}/${buildNumber}`;
            for (const [kind, value] of [
              ["db", n.databaseName],
              ["host", n.hostname],
              ["volume", n.volumeName],
            ] as const) {
              const key = `${kind}:${value}`;
              const prior = seen.get(key);
              if (prior !== undefined) expect(prior, key).toBe(owner);
              seen.set(key, owner);
              expect(
                projectOfName(
                  value
                    .replace(/^slipway-/, "")
                    .replace(/-data$/, "")
                    .split(".")[0]!,
                ),
              ).toBe(project);
            }
            // Containers are per build in every stage (steps add a letters-only suffix).
            const key = `container:${n.containerName}`;
            const prior = seen.get(key);
            if (prior !== undefined) expect(prior, key).toBe(`${project}/${branch}/${buildNumber}`);
            seen.set(key, `${project}/${branch}/${buildNumber}`);
          }
        }
      }
    }
  });

  it("lets a build own (and drop) only a database named for it", () => {
    const own = databaseName({ project: "qqq", branch: "a", buildNumber: 1, stage: "development" });
    expect(buildOwnsDatabase({ project: "qqq", stage: "development", buildNumber: 1, database: own })).toBe(true);
    // Another project's production database, even one whose name looks like a build's.
    expect(buildOwnsDatabase({ project: "qqq", stage: "development", buildNumber: 1, database: "qqq-a-1" })).toBe(false);
    expect(buildOwnsDatabase({ project: "qqq", stage: "development", buildNumber: 1, database: "qqq" })).toBe(false);
    expect(buildOwnsDatabase({ project: "qqq", stage: "development", buildNumber: 2, database: own })).toBe(false);
    expect(buildOwnsDatabase({ project: "qqq", stage: "production", buildNumber: 5, database: "qqq" })).toBe(true);
    expect(buildOwnsDatabase({ project: "qqq", stage: "production", buildNumber: 5, database: "qqq-a-1" })).toBe(false);
  });
});
