import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprint, startGithubDouble, type GithubDouble } from "../../../e2e/support/github-double";
import { projectGitHubClient } from "./credentials";

describe("projectGitHubClient: App installation → token → none (against the GitHub double)", () => {
  let github: GithubDouble;
  let app: { appId: number; privateKey: string };
  let token: string;
  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 9, login: "dora" });
    github.addRepo({ owner: "dora", name: "installed", private: true });
    github.addRepo({ owner: "dora", name: "plain", private: true });
    const created = github.createApp("dora");
    app = { appId: created.id, privateKey: created.pem };
    github.installApp(created.id, "dora", ["dora/installed"]);
    token = github.issueToken("dora");
  });
  afterAll(() => github.close());

  const input = (repo: string, over: Partial<Parameters<typeof projectGitHubClient>[0]> = {}) => ({
    apiUrl: github.url,
    repository: { owner: "dora", repo },
    token,
    app,
    ...over,
  });

  it("uses the App's installation when installed, minting a fresh installation token per client", async () => {
    github.requests.length = 0;
    for (let i = 0; i < 2; i++) {
      const gh = await projectGitHubClient(input("installed"));
      expect(gh.via).toBe("app");
      if (gh.via !== "app") return;
      expect((await gh.client.rest.repos.get({ owner: gh.owner, repo: gh.repo })).data.full_name).toBe("dora/installed");
    }
    const minted = github.requests.filter((r) => /^POST \/app\/installations\/\d+\/access_tokens$/.test(r));
    expect(minted).toHaveLength(2);
    // The repository was read with an installation token ("ghs_"), not the project's token.
    const installationTokens = [...github.state.tokens.entries()].filter(([, t]) => t.installationId !== undefined).map(([k]) => k);
    expect(installationTokens).toHaveLength(2);
    const reads = github.state.log.filter((r) => r.path === "/repos/dora/installed");
    expect(reads.map((r) => r.auth)).toEqual(installationTokens.map((t) => `token:${fingerprint(t)}`));
  });

  it("falls back to the project's token when the App is not installed on the repository, saying why", async () => {
    const gh = await projectGitHubClient(input("plain"));
    expect(gh).toMatchObject({ via: "token", appProblem: "The GitHub App is not installed on dora/plain." });
    if (gh.via === "token") expect((await gh.client.rest.repos.get({ owner: "dora", repo: "plain" })).status).toBe(200);
  });

  it("falls back to the token when GitHub refuses the App's key, and is none without any credential", async () => {
    const { privateKey } = (await import("node:crypto")).generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const forged = await projectGitHubClient(input("installed", { app: { appId: app.appId, privateKey } }));
    expect(forged).toMatchObject({ via: "token", appProblem: "GitHub answered HTTP 401 to the App." });
    expect(await projectGitHubClient(input("plain", { app: null, token: null }))).toEqual({
      via: "none",
      reason: "No GitHub App is set up and the project has no GitHub token.",
    });
    expect(await projectGitHubClient(input("plain", { token: null }))).toEqual({
      via: "none",
      reason: "The GitHub App is not installed on dora/plain.",
    });
    expect(await projectGitHubClient(input("plain", { repository: null }))).toMatchObject({ via: "none" });
  });
});
