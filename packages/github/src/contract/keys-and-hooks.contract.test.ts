// Contract checks of the GitHub double's deploy keys and webhooks (issue 17 item 3) against GitHub's
// OpenAPI description, and ensureDeployKey / ensureWebhook through Octokit on it: found, added,
// repaired, or explained (404, 403).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../e2e/support/github-double";
import { deployKeysOf, webhooksOf } from "../../../../e2e/support/github-double/keys-and-hooks";
import { createGitHubClient, type GitHubClient } from "../client";
import { ensureDeployKey, ensureWebhook } from "../keys-and-hooks";
import { capture, expectContract } from "./expect";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHGcQ2xPe1sLp7ZKkmA4Sx0V9V0f2fK0cJm2p7Gx1y3Q slipway:shop";
const URL = "https://slipway.example/api/webhooks/github";

describe("GitHub double contract: deploy keys and webhooks", () => {
  let github: GithubDouble;
  let alice: GitHubClient;
  let bob: GitHubClient;

  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 7, login: "alice" });
    github.addUser({ id: 8, login: "bob" });
    github.addRepo({ owner: "alice", name: "shop", private: true });
    github.addRepo({ owner: "alice", name: "other", private: false });
    alice = createGitHubClient({
      baseUrl: github.url,
      auth: { kind: "token", token: github.issueToken("alice") },
      limits: { serverErrorRetries: 0 },
    });
    bob = createGitHubClient({
      baseUrl: github.url,
      auth: { kind: "token", token: github.issueToken("bob") },
      limits: { serverErrorRetries: 0 },
    });
  });
  afterAll(() => github.close());

  it("answers the keys and hooks endpoints as GitHub describes them", async () => {
    const created = await capture(
      alice.rest.repos.createDeployKey({ owner: "alice", repo: "other", title: "t", key: KEY.replace("IHGc", "IHGd"), read_only: true }),
    );
    expect(created.status).toBe(201);
    expectContract(created, "POST /repos/{owner}/{repo}/keys");
    expectContract(await capture(alice.rest.repos.listDeployKeys({ owner: "alice", repo: "other" })), "GET /repos/{owner}/{repo}/keys");
    const hook = await capture(
      alice.rest.repos.createWebhook({
        owner: "alice",
        repo: "other",
        config: { url: URL, content_type: "json", secret: "s" },
        events: ["push"],
      }),
    );
    expect(hook.status).toBe(201);
    expectContract(hook, "POST /repos/{owner}/{repo}/hooks");
    const hooks = await capture(alice.rest.repos.listWebhooks({ owner: "alice", repo: "other" }));
    expectContract(hooks, "GET /repos/{owner}/{repo}/hooks");
    expect((hooks.data as Array<{ config: { secret?: string } }>)[0]!.config.secret).toBe("********");
    const id = (hook.data as { id: number }).id;
    expectContract(
      await capture(alice.rest.repos.updateWebhook({ owner: "alice", repo: "other", hook_id: id, active: false })),
      "PATCH /repos/{owner}/{repo}/hooks/{hook_id}",
    );
  });

  it("adds the deploy key read-only, finds it again, and re-adds it once deleted on GitHub", async () => {
    const input = { client: alice, owner: "alice", repo: "shop", publicKey: KEY, title: "Slipway (shop)" };
    expect(await ensureDeployKey(input)).toMatchObject({ result: "added" });
    expect(deployKeysOf(github.state, "alice/shop")).toMatchObject([
      { key: KEY.split(" ").slice(0, 2).join(" "), read_only: true, title: "Slipway (shop)" },
    ]);
    expect(await ensureDeployKey(input)).toMatchObject({ result: "ok" });
    deployKeysOf(github.state, "alice/shop").splice(0);
    expect(await ensureDeployKey(input)).toMatchObject({ result: "added" });
    deployKeysOf(github.state, "alice/shop")[0]!.read_only = false;
    expect(await ensureDeployKey(input)).toMatchObject({ result: "repaired", message: expect.stringMatching(/write access/) });
    expect(deployKeysOf(github.state, "alice/shop")).toMatchObject([{ read_only: true }]);
  });

  it("creates the push webhook with the secret, fixes a broken one, and explains 404 and 403", async () => {
    const input = { client: alice, owner: "alice", repo: "shop", url: URL, secret: "topsecret" };
    expect(await ensureWebhook(input)).toMatchObject({ result: "added" });
    expect(webhooksOf(github.state, "alice/shop")).toMatchObject([
      { active: true, events: ["push"], config: { url: URL, content_type: "json", secret: "topsecret" } },
    ]);
    expect(await ensureWebhook(input)).toMatchObject({ result: "ok" });
    const hook = webhooksOf(github.state, "alice/shop")[0]!;
    hook.active = false;
    hook.config.content_type = "form";
    expect(await ensureWebhook(input)).toMatchObject({
      result: "repaired",
      message: expect.stringMatching(/inactive, its content type was form/),
    });
    expect(webhooksOf(github.state, "alice/shop")[0]).toMatchObject({
      active: true,
      config: { content_type: "json", secret: "topsecret" },
    });

    const missing = await ensureWebhook({ ...input, repo: "gone" });
    expect(missing).toMatchObject({
      result: "failed",
      message: expect.stringMatching(/404 for alice\/gone: the repository does not exist/),
    });
    // bob can read the public repository but not administer it: GitHub answers 403.
    const refused = await ensureDeployKey({ client: bob, owner: "alice", repo: "other", publicKey: KEY, title: "x" });
    expect(refused).toMatchObject({ result: "failed", message: expect.stringMatching(/403.*Administration \(read and write\)/) });
  });
});
