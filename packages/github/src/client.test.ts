import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../e2e/support/github-double";
import { setMergeOutcome, failStatusPosts } from "../../../e2e/support/github-double/statuses-and-merges";
import { createGitHubClient } from "./client";

describe("createGitHubClient against the GitHub double", () => {
  let github: GithubDouble;
  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 7, login: "alice", name: "Alice" });
    github.addRepo({ owner: "alice", name: "shop", private: true });
  });
  afterAll(() => github.close());

  it("reads a user and a private repository with a token, and is refused without", async () => {
    const client = createGitHubClient({ baseUrl: github.url, auth: { kind: "token", token: github.issueToken("alice") } });
    expect((await client.rest.users.getByUsername({ username: "alice" })).data.name).toBe("Alice");
    expect((await client.rest.repos.get({ owner: "alice", repo: "shop" })).data.private).toBe(true);
    const anonymous = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" } });
    await expect(anonymous.rest.repos.get({ owner: "alice", repo: "shop" })).rejects.toMatchObject({ status: 404 });
  });

  it("an App finds its installation and mints an installation token that reads the repository", async () => {
    const app = github.createApp("alice");
    const installation = github.installApp(app.id, "alice", ["alice/shop"]);
    const appClient = createGitHubClient({ baseUrl: github.url, auth: { kind: "app", appId: app.id, privateKey: app.pem } });
    const found = await appClient.rest.apps.getRepoInstallation({ owner: "alice", repo: "shop" });
    expect(found.data.id).toBe(installation.id);
    const client = createGitHubClient({
      baseUrl: github.url,
      auth: { kind: "app-installation", appId: app.id, privateKey: app.pem, installationId: installation.id },
    });
    expect((await client.rest.repos.get({ owner: "alice", repo: "shop" })).data.full_name).toBe("alice/shop");
    expect(github.requests).toContain(`POST /app/installations/${installation.id}/access_tokens`);
  });

  it("a merge conflict (409) is an answer, asked once; a server error (500) is retried", async () => {
    const client = createGitHubClient({
      baseUrl: github.url,
      auth: { kind: "token", token: github.issueToken("alice") },
      limits: { retryUnitMs: 5 },
    });
    setMergeOutcome(github.state, "alice/shop", "main", "feature", "conflict");
    github.requests.length = 0;
    await expect(client.rest.repos.merge({ owner: "alice", repo: "shop", base: "main", head: "feature" })).rejects.toMatchObject({
      status: 409,
    });
    expect(github.requests.filter((r) => r === "POST /repos/alice/shop/merges")).toHaveLength(1);

    failStatusPosts(github.state, "alice/shop", 1, 500);
    github.requests.length = 0;
    const posted = await client.rest.repos.createCommitStatus({ owner: "alice", repo: "shop", sha: "a".repeat(40), state: "pending" });
    expect(posted.status).toBe(201);
    expect(github.requests.filter((r) => r.startsWith("POST /repos/alice/shop/statuses/"))).toHaveLength(2);
  });
});

describe("createGitHubClient's rate-limit handling (GitHub's primary and secondary limits)", () => {
  let github: GithubDouble;
  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 8, login: "bob" });
  });
  afterAll(() => github.close());
  const attempts = () => github.requests.filter((r) => r === "GET /users/bob").length;

  it("403 with x-ratelimit-remaining: 0 then 200: waits until x-ratelimit-reset and succeeds", async () => {
    github.requests.length = 0;
    const events: Array<{ kind: string; retryAfter: number; retrying: boolean }> = [];
    const client = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" }, onLimit: (e) => events.push(e) });
    github.rateLimitNext(1, "primary", 1);
    const started = Date.now();
    const res = await client.rest.users.getByUsername({ username: "bob" });
    expect(res.status).toBe(200);
    expect(attempts()).toBe(2);
    // reset = now + 1 s; Octokit waits until one second after it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(events).toEqual([expect.objectContaining({ kind: "rate-limit", retrying: true })]);
  });

  it("a secondary limit (403 'secondary rate limit' + retry-after) is retried after retry-after", async () => {
    github.requests.length = 0;
    const events: Array<{ kind: string; retryAfter: number }> = [];
    const client = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" }, onLimit: (e) => events.push(e) });
    github.rateLimitNext(2, "secondary", 1);
    const started = Date.now();
    expect((await client.rest.users.getByUsername({ username: "bob" })).status).toBe(200);
    expect(attempts()).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(events.map((e) => [e.kind, e.retryAfter])).toEqual([
      ["secondary-limit", 1],
      ["secondary-limit", 1],
    ]);
  });

  it("is bounded: gives up after rateLimitRetries, and at once when the reset is further than maxWaitSeconds", async () => {
    github.requests.length = 0;
    const client = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" }, limits: { rateLimitRetries: 2, retryUnitMs: 20 } });
    github.rateLimitNext(10, "primary", 1);
    await expect(client.rest.users.getByUsername({ username: "bob" })).rejects.toMatchObject({ status: 403 });
    expect(attempts()).toBe(3);

    github.requests.length = 0;
    github.rateLimitNext(1, "primary", 3600);
    const started = Date.now();
    const patient = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" }, limits: { maxWaitSeconds: 60 } });
    await expect(patient.rest.users.getByUsername({ username: "bob" })).rejects.toMatchObject({ status: 403 });
    expect(attempts()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    github.rateLimitNext(0);
  });
});
