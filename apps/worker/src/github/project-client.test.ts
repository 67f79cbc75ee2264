import { describe, expect, it } from "vitest";
import { startGithubDouble } from "../../../../e2e/support/github-double";
import { createGitHubClient } from "@slipway/github";
import { gitHubErrorSummary } from "./project-client";

describe("gitHubErrorSummary", () => {
  it("keeps GitHub's status and message, drops the documentation link, and says what retrying can change", async () => {
    const github = await startGithubDouble();
    try {
      github.addRepo({ owner: "acme", name: "shop", private: true });
      const token = github.issueToken("acme");
      const client = createGitHubClient({ baseUrl: github.url, auth: { kind: "token", token }, limits: { serverErrorRetries: 0 } });
      const error = await client.rest.repos
        .createCommitStatus({ owner: "acme", repo: "missing", sha: "a".repeat(40), state: "success" })
        .then(
          () => null,
          (e: unknown) => e,
        );
      const summary = gitHubErrorSummary(error);
      expect(summary).toEqual({ status: 404, retryable: false, message: "404 Not Found" });
      expect(JSON.stringify(summary)).not.toContain(token);
    } finally {
      await github.close();
    }
  });

  it("retries server errors, 429, rate limits and network failures; not 401/404/409/422", () => {
    const http = (status: number, message: string) => Object.assign(new Error(message), { status });
    expect(gitHubErrorSummary(http(502, "Bad Gateway")).retryable).toBe(true);
    expect(gitHubErrorSummary(http(429, "Too Many Requests")).retryable).toBe(true);
    expect(gitHubErrorSummary(http(403, "API rate limit exceeded for installation")).retryable).toBe(true);
    expect(gitHubErrorSummary(new Error("connect ECONNREFUSED 127.0.0.1:1"))).toEqual({
      status: null,
      retryable: true,
      message: "connect ECONNREFUSED 127.0.0.1:1",
    });
    for (const status of [401, 403, 404, 409, 422]) expect(gitHubErrorSummary(http(status, "no")).retryable).toBe(false);
  });
});
