import { describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { parseGithubEvent, parsePush, signPayload, verifySignature } from "./index";

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
