import { describe, expect, it } from "vitest";
import { sha1Hex } from "../modules/sha1";
import { branchLabel } from "./branch-label";

const label = (branch: string, maxLength = 40) => branchLabel({ branch, maxLength });
const h = (s: string) => sha1Hex(s).slice(0, 6);

describe("branchLabel", () => {
  it("keeps simple branch names as they are", () => {
    expect(label("main")).toBe("main");
    expect(label("17-0-fix")).toBe("17-0-fix");
  });

  it("lowercases and replaces runs of other characters, then adds a hash of the original", () => {
    expect(label("feature/login")).toBe(`feature-login-${h("feature/login")}`);
    expect(label("Feature_JIRA-12.fix")).toBe(`feature-jira-12-fix-${h("Feature_JIRA-12.fix")}`);
    expect(label("17.0")).toBe(`17-0-${h("17.0")}`);
    expect(label("a--b")).toBe(`a-b-${h("a--b")}`);
    expect(label("--x--")).toBe(`x-${h("--x--")}`);
  });

  it("gives different labels to branches that normalize to the same text", () => {
    const names = ["feature/x", "feature-x", "Feature-X", "feature_x", "feature.x", "feature//x"];
    expect(new Set(names.map((n) => label(n))).size).toBe(names.length);
  });

  it("truncates long names and adds the hash, never exceeding the length", () => {
    const long = `feature/${"very-long-branch-name-".repeat(10)}end`;
    const l = label(long, 20);
    expect(l.length).toBeLessThanOrEqual(20);
    expect(l).toBe(`feature-very-${h(long)}`);
    expect(label("a".repeat(41), 40)).toBe(`${"a".repeat(33)}-${h("a".repeat(41))}`);
    // A cut that ends on a hyphen drops it.
    expect(label("abcdefgh-ijk", 11)).toMatch(/^abcd-[0-9a-f]{6}$/);
  });

  it("falls back to the hash alone when nothing usable remains", () => {
    expect(label("日本語")).toBe(h("日本語"));
    expect(label("___")).toBe(h("___"));
    expect(label("feature/x", 6)).toBe(h("feature/x"));
  });

  it("refuses an empty branch or a too small length", () => {
    expect(() => label("")).toThrow("cannot be empty");
    expect(() => label("main", 5)).toThrow("at least 6 characters");
  });
});
