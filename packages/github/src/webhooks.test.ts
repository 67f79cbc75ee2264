import { describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { branchNameProblem, parseGithubEvent, parsePush, signPayload, verifySignature } from "./index";

const sha = (c: string) => c.repeat(40);
const push = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ref: "refs/heads/feature/login",
    before: sha("a"),
    after: sha("b"),
    head_commit: { id: sha("b"), message: "Add login", author: { name: "Ada", email: "ada@example.org" } },
    repository: { full_name: "acme/addons" },
    ...extra,
  });

describe("webhook signatures", () => {
  it("accepts the right signature and refuses a forged, malformed or missing one", () => {
    const body = push();
    expect(verifySignature({ secret: "s3cret", body, signature: signPayload("s3cret", body) })).toBe(true);
    expect(verifySignature({ secret: "s3cret", body, signature: signPayload("other", body) })).toBe(false);
    expect(verifySignature({ secret: "s3cret", body: body + " ", signature: signPayload("s3cret", body) })).toBe(false);
    expect(verifySignature({ secret: "s3cret", body, signature: "sha1=abc" })).toBe(false);
    expect(verifySignature({ secret: "s3cret", body, signature: null })).toBe(false);
  });
});

describe("push payloads", () => {
  it("reads branch, revision, message and author", () => {
    expect(parseGithubEvent({ event: "push", body: push() })).toEqual({
      kind: "push",
      branch: "feature/login",
      before: sha("a"),
      revision: sha("b"),
      deleted: false,
      created: false,
      message: "Add login",
      author: "Ada <ada@example.org>",
      repositoryFullName: "acme/addons",
    });
  });

  it("recognises deleted and created branches, and ignores tags", () => {
    expect(parsePush(push({ after: sha("0"), deleted: true, head_commit: null }))).toMatchObject({ deleted: true, revision: null });
    expect(parsePush(push({ before: sha("0") }))).toMatchObject({ created: true });
    expect(parsePush(push({ ref: "refs/tags/v1" }))).toEqual({ kind: "ignored", reason: "refs/tags/v1 is not a branch" });
  });

  it("ignores unknown events and answers pings", () => {
    expect(parseGithubEvent({ event: "issues", body: "{}" })).toMatchObject({ kind: "ignored" });
    expect(parseGithubEvent({ event: "ping", body: JSON.stringify({ zen: "Keep it simple", hook_id: 1 }) })).toEqual({ kind: "ping" });
  });

  it("refuses branch names git would refuse, and names over 255 characters, with invalid_input (issue 12, L2)", () => {
    const refused = (ref: string) => {
      try {
        parsePush(push({ ref }));
      } catch (e) {
        return isDomainError(e, "invalid_input") ? e.message : `other error: ${String(e)}`;
      }
      return "accepted";
    };
    for (const name of [
      "",
      "a\u0000b",
      "x".repeat(256),
      "a..b",
      "a\u0007b",
      "a\u007fb",
      "has space",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[b",
      "a\\b",
      "/a",
      "a/",
      "a//b",
      ".hidden",
      "a/.b",
      "a.lock",
      "a/b.lock/c",
      "a.",
      "@",
      "a@{1}",
    ]) {
      expect(refused(`refs/heads/${name}`), JSON.stringify(name)).toMatch(/^The branch name .* is not valid: /);
    }
    expect(refused("refs/heads/a\u0000b")).toContain("control character");
    expect(refused(`refs/heads/${"x".repeat(3000)}`)).toContain("longer than 255 characters");
    for (const name of ["main", "feature/login", "17.0-fix_é", "release/v1.2", "x".repeat(255), "a@b", "a.b.c", "fix-#12"]) {
      expect(refused(`refs/heads/${name}`), name).toBe("accepted");
    }
    expect(branchNameProblem("ok/name")).toBeNull();
  });

  it("refuses malformed bodies with invalid_input", () => {
    for (const body of ["not json", JSON.stringify({ ref: "refs/heads/x", after: "nope" }), JSON.stringify([1])]) {
      let err: unknown;
      try {
        parseGithubEvent({ event: "push", body });
      } catch (e) {
        err = e;
      }
      expect(isDomainError(err, "invalid_input")).toBe(true);
    }
    expect(() => parseGithubEvent({ event: null, body: push() })).toThrow(/X-GitHub-Event/);
  });
});
