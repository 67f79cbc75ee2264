import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../e2e/support/github-double";
import { exchangeCode, fetchAuthenticatedUser, fetchUserByLogin, isOrganisationMember } from "./accounts";

describe("GitHub accounts through Octokit (sign-in, username lookups) against the GitHub double", () => {
  let github: GithubDouble;
  beforeAll(async () => {
    github = await startGithubDouble();
    github.addUser({ id: 42, login: "carol", name: "Carol", orgs: ["acme"] });
  });
  afterAll(() => github.close());

  async function authorizationCode(redirectUri: string): Promise<string> {
    github.signInAs("carol");
    const url = `${github.url}/login/oauth/authorize?client_id=${github.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&state=x`;
    const res = await fetch(url, { redirect: "manual" });
    return new URL(res.headers.get("location")!).searchParams.get("code")!;
  }
  const redirectUri = "http://127.0.0.1:3000/auth/github/callback";
  const oauth = () => ({ oauthUrl: github.url, clientId: github.clientId, clientSecret: github.clientSecret, redirectUri });

  it("exchanges a code for a user token, then reads the user and an organisation membership", async () => {
    const token = await exchangeCode({ ...oauth(), code: await authorizationCode(redirectUri) });
    expect(token).toMatch(/^gho_/);
    expect(await fetchAuthenticatedUser({ apiUrl: github.url, token })).toEqual({
      githubId: "42",
      login: "carol",
      name: "Carol",
      avatarUrl: "https://avatars.example/u/42",
    });
    expect(await isOrganisationMember({ apiUrl: github.url, token, org: "ACME" })).toBe(true);
    expect(await isOrganisationMember({ apiUrl: github.url, token, org: "other" })).toBe(false);
  });

  it("refuses a used code and wrong client credentials with GitHub's error code, never the secret", async () => {
    const code = await authorizationCode(redirectUri);
    await exchangeCode({ ...oauth(), code });
    const reused = exchangeCode({ ...oauth(), code });
    await expect(reused).rejects.toMatchObject({ code: "forbidden", message: expect.stringContaining("bad_verification_code") });
    const wrong = await exchangeCode({ ...oauth(), clientSecret: "wrong-secret-value", code: await authorizationCode(redirectUri) }).catch(
      (e: Error) => e,
    );
    expect(wrong).toMatchObject({ code: "forbidden", message: expect.stringContaining("incorrect_client_credentials") });
    // The DomainError carries no Octokit error (whose request holds the body with the secret and the code).
    expect((wrong as Error).cause).toBeUndefined();
    expect(JSON.stringify(wrong, Object.getOwnPropertyNames(wrong))).not.toContain("wrong-secret-value");
  });

  it("looks users up by login: found, not found, not a username; a bad token is upstream_failed", async () => {
    expect((await fetchUserByLogin({ apiUrl: github.url, login: "@Carol" })).githubId).toBe("42");
    await expect(fetchUserByLogin({ apiUrl: github.url, login: "nobody" })).rejects.toMatchObject({ code: "not_found" });
    await expect(fetchUserByLogin({ apiUrl: github.url, login: "-bad-" })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(fetchAuthenticatedUser({ apiUrl: github.url, token: "gho_unknown" })).rejects.toMatchObject({
      code: "upstream_failed",
      message: expect.stringContaining("HTTP 401"),
    });
  });

  it("an unreachable GitHub is upstream_failed (after the client's bounded retries)", async () => {
    await expect(
      fetchUserByLogin({ apiUrl: "http://127.0.0.1:9", login: "carol", limits: { serverErrorRetries: 0, timeoutMs: 2000 } }),
    ).rejects.toMatchObject({ code: "upstream_failed" });
  });
});
