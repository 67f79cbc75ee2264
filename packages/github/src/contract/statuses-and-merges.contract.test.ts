// Contract checks of the GitHub double's commit statuses and merges (issue 17 items 5 and 6): what
// the double answers through Octokit against real GitHub — the @octokit/fixtures "create-status"
// recording for statuses, GitHub's OpenAPI description for merges (no recording exists).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../e2e/support/github-double";
import { failStatusPosts, mergesOf, setBranchHead, setMergeOutcome } from "../../../../e2e/support/github-double/statuses-and-merges";
import { createGitHubClient, type GitHubClient } from "../client";
import { capture, contractProblems, expectContract, hasRecording, type Captured } from "./expect";

const SHA = "0000000000000000000000000000000000000001";

/**
 * GitHub's description lists the merge API's 404 and 409 without a body, but GitHub sends its usual
 * error body (Octokit's "Merge conflict" / "Head does not exist" errors are that body's message):
 * that one difference is allowed, nothing else.
 */
function expectContractWithErrorBody(res: Captured): void {
  const operation = "POST /repos/{owner}/{repo}/merges";
  expect(contractProblems(res, operation)).toEqual([`${operation} ${res.status}: GitHub answers no body, the double sent one`]);
  expect(res.data).toEqual({ message: expect.any(String), documentation_url: expect.any(String), status: String(res.status) });
}

describe("GitHub double contract: commit statuses and merges", () => {
  let github: GithubDouble;
  let alice: GitHubClient;
  let stranger: GitHubClient;

  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 7, login: "alice" });
    github.addUser({ id: 8, login: "bob" });
    github.addRepo({ owner: "alice", name: "shop", private: true });
    alice = createGitHubClient({
      baseUrl: github.url,
      auth: { kind: "token", token: github.issueToken("alice") },
      limits: { serverErrorRetries: 0 },
    });
    stranger = createGitHubClient({ baseUrl: github.url, auth: { kind: "token", token: github.issueToken("bob") } });
  });
  afterAll(() => github.close());

  it("POST /repos/{owner}/{repo}/statuses/{sha} and the two reads, against the create-status recording", async () => {
    expect(hasRecording("POST /repos/{owner}/{repo}/statuses/{sha}", 201)).toBe(true);
    const post = (state: "pending" | "success" | "failure" | "error", context: string) =>
      capture(
        alice.rest.repos.createCommitStatus({
          owner: "alice",
          repo: "shop",
          sha: SHA,
          state,
          context,
          target_url: "https://slipway.example/projects/shop/builds/1",
          description: `Build #1 ${state}`,
        }),
      );
    const pending = await post("pending", "slipway/development");
    expect(pending.status).toBe(201);
    expectContract(pending, "POST /repos/{owner}/{repo}/statuses/{sha}");
    expectContract(await post("failure", "slipway/staging"), "POST /repos/{owner}/{repo}/statuses/{sha}");
    expectContract(await post("success", "slipway/development"), "POST /repos/{owner}/{repo}/statuses/{sha}");

    const list = await capture(alice.rest.repos.listCommitStatusesForRef({ owner: "alice", repo: "shop", ref: SHA }));
    expectContract(list, "GET /repos/{owner}/{repo}/commits/{ref}/statuses");
    // Newest first, as GitHub lists them.
    expect((list.data as { state: string }[]).map((s) => s.state)).toEqual(["success", "failure", "pending"]);

    const combined = await capture(alice.rest.repos.getCombinedStatusForRef({ owner: "alice", repo: "shop", ref: SHA }));
    expectContract(combined, "GET /repos/{owner}/{repo}/commits/{ref}/status");
    // The latest per context; any failure makes the whole commit fail.
    expect(combined.data).toMatchObject({
      state: "failure",
      total_count: 2,
      statuses: [
        { context: "slipway/staging", state: "failure" },
        { context: "slipway/development", state: "success" },
      ],
    });
  });

  it("refuses what GitHub refuses: a bad state or a long description (422), a stranger (404), a failing GitHub (500)", async () => {
    const bad = await capture(
      // A state GitHub does not know, sent past Octokit's types.
      alice.request("POST /repos/{owner}/{repo}/statuses/{sha}", { owner: "alice", repo: "shop", sha: SHA, state: "green" as "success" }),
    );
    expect(bad.status).toBe(422);
    expectContract(bad, "POST /repos/{owner}/{repo}/statuses/{sha}");
    const long = await capture(
      alice.rest.repos.createCommitStatus({ owner: "alice", repo: "shop", sha: SHA, state: "success", description: "x".repeat(141) }),
    );
    expect(long.status).toBe(422);
    const hidden = await capture(stranger.rest.repos.createCommitStatus({ owner: "alice", repo: "shop", sha: SHA, state: "success" }));
    expect(hidden.status).toBe(404);
    expectContract(hidden, "POST /repos/{owner}/{repo}/statuses/{sha}");
    failStatusPosts(github.state, "alice/shop", 1, 500);
    const down = await capture(alice.rest.repos.createCommitStatus({ owner: "alice", repo: "shop", sha: SHA, state: "success" }));
    expect(down.status).toBe(500);
    const after = await capture(alice.rest.repos.createCommitStatus({ owner: "alice", repo: "shop", sha: SHA, state: "success" }));
    expect(after.status).toBe(201);
  });

  it("POST /repos/{owner}/{repo}/merges: 201 merged, 204 nothing to merge, 409 conflict, 404 missing branch (OpenAPI)", async () => {
    expect(hasRecording("POST /repos/{owner}/{repo}/merges", 201)).toBe(false);
    const previous = "1".repeat(40);
    setBranchHead(github.state, "alice/shop", "staging", previous);
    const merge = () => capture(alice.rest.repos.merge({ owner: "alice", repo: "shop", base: "staging", head: "feature" }));

    const merged = await merge();
    expect(merged.status).toBe(201);
    expectContract(merged, "POST /repos/{owner}/{repo}/merges");
    const commit = merged.data as { sha: string; parents: { sha: string }[] };
    expect(commit.parents[0]!.sha).toBe(previous);

    setMergeOutcome(github.state, "alice/shop", "staging", "feature", "nothing");
    const nothing = await merge();
    expect(nothing.status).toBe(204);
    expectContract(nothing, "POST /repos/{owner}/{repo}/merges");

    setMergeOutcome(github.state, "alice/shop", "staging", "feature", "conflict");
    const conflict = await merge();
    expect(conflict).toMatchObject({ status: 409, data: { message: "Merge conflict" } });
    expectContractWithErrorBody(conflict);

    setMergeOutcome(github.state, "alice/shop", "staging", "feature", "missing-head");
    const missing = await merge();
    expect(missing).toMatchObject({ status: 404, data: { message: "Head does not exist" } });
    expectContractWithErrorBody(missing);

    expect(mergesOf(github.state, "alice/shop").map((m) => m.outcome)).toEqual(["merged", "nothing", "conflict", "missing-head"]);
    expect(mergesOf(github.state, "alice/shop")[0]!.sha).toBe(commit.sha);
  });
});
