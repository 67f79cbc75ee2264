// GitHub credentials in the browser (issue 17 item 2): the administrator creates the platform's
// GitHub App from the panel through GitHub's manifest flow (the GitHub double plays github.com and
// its API on the port the platform is configured with), a project admin stores the project's token
// (checked against the repository, never shown again), and "Check access" says which credential
// Slipway uses: the token, then the App once it is installed on the repository.
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { adminCredentials, queryControlPlane } from "./support/env";
import { E2E_GITHUB, startGithubDouble, type GithubDouble } from "./support/github-double";
import { logInAsAdmin } from "./support/journey";

test.describe.configure({ mode: "serial" });

const slug = `e2e-ghapp-${randomBytes(3).toString("hex")}`;
const repo = `shop-${randomBytes(3).toString("hex")}`;
let github: GithubDouble;

test.beforeAll(async () => {
  github = await startGithubDouble(E2E_GITHUB);
  github.addUser({ id: 880_001, login: "octo-owner" });
  github.signInAs("octo-owner");
  github.addRepo({ owner: "acme", name: repo, private: true, admins: ["octo-owner"] });
  const [admin] = await queryControlPlane<{ id: string }>('SELECT id FROM "User" WHERE login = $1', [adminCredentials().login]);
  if (!admin) throw new Error("the local admin account does not exist yet");
  const projectId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "repoKind", "githubOwner", "githubRepo", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "updatedAt")
     VALUES ($1, $2, 'App shop', $3, 'github', 'acme', $4, '17.0', 'odoo:17.0', 'slipway.localhost', $5, now())`,
    [
      projectId,
      slug,
      `https://github.com/acme/${repo}`,
      repo,
      encryptSecret("e2e-webhook-secret", Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64")),
    ],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`,
    [projectId, admin.id],
  );
});

test.afterAll(async () => {
  await github?.close();
});

test("the administrator creates the GitHub App through GitHub's manifest flow", async ({ page }) => {
  await logInAsAdmin(page);
  await page.getByRole("link", { name: "GitHub App" }).click();
  await expect(page).toHaveURL(/\/admin\/github-app$/);
  await page.getByRole("button", { name: "Create GitHub App" }).click();
  // The browser went to GitHub (the double approves as octo-owner) and came back with a code.
  await expect(page.getByTestId("github-app-notice")).toContainText("created");
  const app = [...github.state.apps.values()].at(-1)!;
  expect(github.requests).toContain("POST /settings/apps/new");
  expect(github.requests.some((r) => /^POST \/app-manifests\/[^/]+\/conversions$/.test(r))).toBe(true);
  await expect(page.getByTestId("github-app")).toContainText(String(app.id));
  await expect(page.getByRole("link", { name: "Install on repositories" })).toHaveAttribute(
    "href",
    `${github.url}/apps/${app.slug}/installations/new`,
  );
  expect(await page.content()).not.toContain("PRIVATE KEY");
});

test("a project admin stores the token, then Check access follows the App once it is installed", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/settings`);
  const card = page.getByTestId("github-credentials");
  await expect(card.getByTestId("github-token-state")).toHaveText("No token is set.");
  await card.getByLabel("GitHub token").fill(`github_pat_${"z".repeat(30)}`);
  await card.getByRole("button", { name: "Save token" }).click();
  await expect(page.getByTestId("settings-error")).toContainText("refuses this token");

  const token = github.issueToken("octo-owner");
  await page.getByTestId("github-credentials").getByLabel("GitHub token").fill(token);
  await page.getByTestId("github-credentials").getByRole("button", { name: "Save token" }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(`GitHub token saved: it opens acme/${repo}.`);
  await expect(page.getByTestId("github-token-state")).toHaveText("A token is set (not shown).");
  expect(await page.content()).not.toContain(token);

  await page.getByRole("button", { name: "Check access" }).click();
  await expect(page.getByTestId("settings-notice")).toContainText("through the project's GitHub token (The GitHub App is not installed");

  const app = [...github.state.apps.values()].at(-1)!;
  const installation = github.installApp(app.id, "acme", [`acme/${repo}`]);
  await page.getByRole("button", { name: "Check access" }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(
    `Slipway reaches acme/${repo} through the GitHub App (installation ${installation.id}).`,
  );

  const audit = await queryControlPlane<{ action: string; text: string }>(
    `SELECT action, concat_ws(' ', target, details::text) AS text FROM "AuditEntry" WHERE action LIKE 'project.github_token.%' OR action LIKE 'github_app.%'`,
  );
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["github_app.create", "project.github_token.set"]));
  for (const entry of audit) {
    expect(entry.text).not.toContain(token);
    expect(entry.text).not.toContain("PRIVATE KEY");
  }
});

test("the administrator forgets the App; the project falls back to its token, through a rate limit", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto("/admin/github-app");
  await page.getByRole("button", { name: "Forget this App" }).click();
  await expect(page.getByTestId("github-app-notice")).toContainText("forgotten");
  await expect(page.getByRole("button", { name: "Create GitHub App" })).toBeVisible();
  await page.goto(`/projects/${slug}/settings`);
  // GitHub answers the next request 403 rate-limited (x-ratelimit-remaining: 0, reset in 1 s): the
  // panel's client waits for the reset and asks again.
  github.state.log.length = 0;
  github.rateLimitNext(1, "primary", 1);
  await page.getByRole("button", { name: "Check access" }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(`Slipway reaches acme/${repo} through the project's GitHub token.`);
  expect(github.state.log.filter((r) => r.path === `/repos/acme/${repo}`).map((r) => r.status)).toEqual([403, 200]);
});
