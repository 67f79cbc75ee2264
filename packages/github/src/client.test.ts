import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../e2e/support/github-double";
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
});
