// Contract checks of the GitHub double's foundation routes (users, repositories, GitHub Apps): each
// answer the double gives through Octokit is compared with real GitHub's (recording or OpenAPI).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../../e2e/support/github-double";
import { createGitHubClient, type GitHubClient } from "../client";
import { capture, contractProblems, expectContract, hasRecording } from "./expect";
import { recordingOf } from "./fixtures";

describe("GitHub double contract: users, repositories, GitHub Apps", () => {
  let github: GithubDouble;
  let alice: GitHubClient;
  let app: ReturnType<GithubDouble["createApp"]>;
  let appClient: GitHubClient;
  let installationId: number;

  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 7, login: "alice", name: "Alice", orgs: ["acme"] });
    github.addRepo({ owner: "alice", name: "shop", private: true });
    github.addRepo({ owner: "acme", name: "erp", private: true, admins: ["alice"] });
    alice = createGitHubClient({ baseUrl: github.url, auth: { kind: "token", token: github.issueToken("alice") } });
    app = github.createApp("alice");
    installationId = github.installApp(app.id, "alice", ["alice/shop"]).id;
    appClient = createGitHubClient({ baseUrl: github.url, auth: { kind: "app", appId: app.id, privateKey: app.pem } });
  });
  afterAll(() => github.close());

  it("GET /user, /users/{username}, /user/memberships/orgs/{org} (OpenAPI: no recording exists)", async () => {
    expect(hasRecording("GET /user", 200)).toBe(false);
    expectContract(await capture(alice.rest.users.getAuthenticated()), "GET /user");
    expectContract(await capture(alice.rest.users.getByUsername({ username: "alice" })), "GET /users/{username}");
    expectContract(await capture(alice.rest.users.getByUsername({ username: "nobody" })), "GET /users/{username}");
    expectContract(await capture(alice.rest.orgs.getMembershipForAuthenticatedUser({ org: "acme" })), "GET /user/memberships/orgs/{org}");
    expectContract(await capture(alice.rest.orgs.getMembershipForAuthenticatedUser({ org: "other" })), "GET /user/memberships/orgs/{org}");
    const anonymous = createGitHubClient({ baseUrl: github.url, auth: { kind: "token", token: "ghp_unknown" } });
    const refused = await capture(anonymous.rest.users.getAuthenticated());
    expect(refused.status).toBe(401);
    expectContract(refused, "GET /user");
  });

  it("GET /repos/{owner}/{repo} against @octokit/fixtures' get-repository recording", async () => {
    expect(hasRecording("GET /repos/{owner}/{repo}", 200)).toBe(true);
    // The recording is of an organisation's repository, read by an admin: so is this one.
    const res = await capture(alice.rest.repos.get({ owner: "acme", repo: "erp" }));
    expect(res.status).toBe(200);
    expectContract(res, "GET /repos/{owner}/{repo}");
    expectContract(await capture(alice.rest.repos.get({ owner: "alice", repo: "shop" })), "GET /repos/{owner}/{repo}");
    expectContract(await capture(alice.rest.repos.get({ owner: "alice", repo: "missing" })), "GET /repos/{owner}/{repo}");
  });

  it("the GitHub App routes: manifest conversion, GET /app, installation discovery, installation tokens (OpenAPI)", async () => {
    // The manifest flow as a browser does it: POST the form, follow nothing, read the code from the redirect.
    github.signInAs("alice");
    const form = new URLSearchParams({
      manifest: JSON.stringify({
        name: "Slipway test",
        url: "https://slipway.example",
        redirect_url: "https://slipway.example/back",
        hook_attributes: { url: "https://slipway.example/hook" },
      }),
    });
    const page = await fetch(`${github.url}/settings/apps/new?state=s1`, { method: "POST", body: form, redirect: "manual" });
    expect(page.status).toBe(302);
    const back = new URL(page.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe("s1");
    const anonymous = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" } });
    const conversion = await capture(anonymous.rest.apps.createFromManifest({ code: back.searchParams.get("code")! }));
    expect(conversion.status).toBe(201);
    expectContract(conversion, "POST /app-manifests/{code}/conversions");
    expect(conversion.data).toMatchObject({ pem: expect.stringContaining("PRIVATE KEY"), webhook_secret: expect.any(String) });
    // A code is single-use.
    expectContract(
      await capture(anonymous.rest.apps.createFromManifest({ code: back.searchParams.get("code")! })),
      "POST /app-manifests/{code}/conversions",
    );

    expectContract(await capture(appClient.rest.apps.getAuthenticated()), "GET /app");
    const found = await capture(appClient.rest.apps.getRepoInstallation({ owner: "alice", repo: "shop" }));
    expect(found.status).toBe(200);
    expectContract(found, "GET /repos/{owner}/{repo}/installation");
    expectContract(
      await capture(appClient.rest.apps.getRepoInstallation({ owner: "alice", repo: "other" })),
      "GET /repos/{owner}/{repo}/installation",
    );
    expectContract(
      await capture(appClient.rest.apps.getInstallation({ installation_id: installationId })),
      "GET /app/installations/{installation_id}",
    );
    const token = await capture(appClient.rest.apps.createInstallationAccessToken({ installation_id: installationId }));
    expect(token.status).toBe(201);
    expectContract(token, "POST /app/installations/{installation_id}/access_tokens");
  });

  it("the double's rate-limit answers are GitHub's: 403 + x-ratelimit-remaining 0 + reset, or 403 'secondary rate limit' + retry-after", async () => {
    const impatient = createGitHubClient({ baseUrl: github.url, auth: { kind: "none" }, limits: { rateLimitRetries: 0 } });
    github.rateLimitNext(1, "primary", 30);
    const primary = await capture(impatient.rest.users.getByUsername({ username: "alice" }));
    expect(primary.status).toBe(403);
    expect(primary.headers["x-ratelimit-remaining"]).toBe("0");
    expect(Number(primary.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000 + 20);
    expect(primary.data).toMatchObject({ message: expect.stringMatching(/^API rate limit exceeded/) });
    expectContract(primary, "GET /users/{username}");
    github.rateLimitNext(1, "secondary", 30);
    const secondary = await capture(impatient.rest.users.getByUsername({ username: "alice" }));
    expect(secondary.status).toBe(403);
    expect(secondary.headers["retry-after"]).toBe("30");
    expect(secondary.data).toMatchObject({ message: expect.stringMatching(/secondary rate limit/) });
    expectContract(secondary, "GET /users/{username}");
  });

  it("the checker itself catches a wrong type, a missing field, an invented field, an undocumented status and missing headers", async () => {
    const res = await capture(alice.rest.repos.get({ owner: "alice", repo: "shop" }));
    const data = { ...(res.data as Record<string, unknown>) };
    data.private = "yes";
    delete data.clone_url;
    data.invented = 1;
    const problems = contractProblems({ ...res, data }, "GET /repos/{owner}/{repo}");
    expect(problems.join("\n")).toMatch(/\$\.private: expected boolean, got string/);
    expect(problems.join("\n")).toMatch(/\$\.clone_url: required by GitHub's schema, missing/);
    expect(problems.join("\n")).toMatch(/recording get-repository: \$\.clone_url: in the recording, missing from the double/);
    expect(problems.join("\n")).toMatch(/\$\.invented: not in GitHub's schema/);
    expect(contractProblems({ ...res, status: 202 }, "GET /repos/{owner}/{repo}")[0]).toMatch(/not one GitHub documents/);
    const { "x-ratelimit-remaining": _dropped, ...headers } = res.headers;
    expect(contractProblems({ ...res, headers }, "GET /repos/{owner}/{repo}").join("\n")).toMatch(/x-ratelimit-remaining: missing/);
    // And the recording it compares with is a real one (normalized by @octokit/fixtures).
    expect(recordingOf("GET /repos/{owner}/{repo}", 200)?.headers["x-ratelimit-limit"]).toBe("5000");
  });
});
