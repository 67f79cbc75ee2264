// GitHub merges and commit statuses (issue 17 items 5 and 6) in Chromium against the real web app
// and worker: on a GitHub project, "Merge now" on the branch page makes the worker call GitHub's
// merge API (the GitHub double, on the port the platform is configured with) instead of running
// git; the merge commit GitHub answers is shown, and GitHub's 409 is reported as a conflict, the way
// git's is. The Settings page has the seed's "GitHub commit statuses" setting; a build page shows
// its latest status post, or why it could not be posted.
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { adminCredentials, queryControlPlane } from "./support/env";
import { E2E_GITHUB, startGithubDouble, type GithubDouble } from "./support/github-double";
import { mergesOf, setMergeOutcome } from "./support/github-double/statuses-and-merges";
import { logInAsAdmin } from "./support/journey";

test.describe.configure({ mode: "serial" });
test.setTimeout(90_000);

const slug = `e2e-ghmerge-${randomBytes(3).toString("hex")}`;
const owner = "acme";
const repo = slug;
let github: GithubDouble;
let token = "";
let projectId = "";

test.beforeAll(async () => {
  github = await startGithubDouble(E2E_GITHUB);
  github.addUser({ id: 910_000 + Math.floor(Math.random() * 9_999), login: owner });
  github.addRepo({ owner, name: repo, private: true });
  token = github.issueToken(owner);
  const [admin] = await queryControlPlane<{ id: string }>('SELECT id FROM "User" WHERE login = $1', [adminCredentials().login]);
  if (!admin) throw new Error("the local admin account does not exist yet");
  const key = Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64");
  projectId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "repoKind", "githubOwner", "githubRepo", "githubTokenEnc", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "updatedAt")
     VALUES ($1, $2, 'GitHub merges', $3, 'github', $4, $5, $6, '17.0', 'odoo:17.0', 'slipway.localhost', $7, now())`,
    [
      projectId,
      slug,
      `https://github.com/${owner}/${repo}.git`,
      owner,
      repo,
      encryptSecret(token, key),
      encryptSecret("e2e-webhook-secret", key),
    ],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`,
    [projectId, admin.id],
  );
  for (const [name, stage] of [
    ["feature", "development"],
    ["staging-line", "staging"],
  ] as const) {
    await queryControlPlane(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "headRevision", "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3::"Stage", $4, now())`,
      [projectId, name, stage, randomBytes(20).toString("hex")],
    );
  }
});

test.afterAll(async () => {
  await github?.close();
});

test("Merge now on a GitHub project goes through GitHub's merge API; a conflict is reported as one", async ({ page }) => {
  await logInAsAdmin(page);
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`/projects/${slug}/branches/feature`);
  await page.getByTestId("shell-command-merge").click();
  await page.locator("#merge-into").selectOption("staging-line");

  await page.getByTestId("merge-now").click();
  const feedback = page.getByTestId("branch-feedback");
  await expect(feedback).toContainText('Merged "feature" into "staging-line"', { timeout: 30_000 });
  const merged = mergesOf(github.state, `${owner}/${repo}`);
  expect(merged).toEqual([
    expect.objectContaining({ base: "staging-line", head: "feature", outcome: "merged", commit_message: expect.stringContaining("admin") }),
  ]);
  await expect(feedback).toContainText(merged[0]!.sha!.slice(0, 12));
  // The call carried the project's token (the double logs a fingerprint of it, never the token).
  const call = github.state.log.find((r) => r.method === "POST" && r.path === `/repos/${owner}/${repo}/merges`);
  expect(call?.auth).toMatch(/^token:[0-9a-f]{8}$/);

  setMergeOutcome(github.state, `${owner}/${repo}`, "staging-line", "feature", "conflict");
  await page.getByTestId("merge-now").click();
  await expect(feedback).toHaveAttribute("role", "alert", { timeout: 30_000 });
  await expect(feedback).toContainText('Merging "feature" into "staging-line"');
  await expect(feedback).toContainText("Nothing was merged or pushed");
  expect(mergesOf(github.state, `${owner}/${repo}`).map((m) => m.outcome)).toEqual(["merged", "conflict"]);

  // The history says so, and no audit entry or event carries the token.
  const rows = await queryControlPlane<{ text: string }>(
    `SELECT e.message || coalesce(e.data::text, '') AS text FROM "Event" e JOIN "Project" p ON p.id = e."projectId" WHERE p.slug = $1
     UNION ALL SELECT coalesce(a.details::text, '') || a.target FROM "AuditEntry" a JOIN "Project" p ON p.id = a."projectId" WHERE p.slug = $1`,
    [slug],
  );
  expect(rows.some((r) => r.text.includes("merge conflict"))).toBe(true);
  expect(rows.filter((r) => r.text.includes(token))).toEqual([]);
});

test("Settings: the GitHub commit statuses setting is on by default and an admin turns it off", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/settings`);
  const card = page.getByTestId("commit-statuses-setting");
  const box = card.getByRole("checkbox", { name: /Post commit statuses to GitHub/ });
  await expect(box).toBeChecked();
  // The project has a token: no warning about missing credentials.
  await expect(page.getByTestId("commit-statuses-no-credentials")).toHaveCount(0);
  await box.uncheck();
  await card.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("settings-notice")).toContainText("no longer post commit statuses");
  await expect(page.getByTestId("commit-statuses-setting").getByRole("checkbox")).not.toBeChecked();
  const [row] = await queryControlPlane<{ commitStatuses: boolean }>('SELECT "commitStatuses" FROM "Project" WHERE slug = $1', [slug]);
  expect(row?.commitStatuses).toBe(false);
});

test("a build page shows why its commit status could not be posted", async ({ page }) => {
  const [branch] = await queryControlPlane<{ id: string }>(`SELECT b.id FROM "Branch" b WHERE b."projectId" = $1 AND b.name = 'feature'`, [
    projectId,
  ]);
  const buildId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, state, result, "inProgressSlot", "updatedAt")
     VALUES ($1, $2, $3, 7, 'development', $4, 'running', 'green', NULL, now())`,
    [buildId, projectId, branch!.id, "c".repeat(40)],
  );
  // As the worker's github.commit-status job records a post that failed for good.
  await queryControlPlane(
    `INSERT INTO "Event" (id, "projectId", "branchId", "buildId", kind, message, data) VALUES (gen_random_uuid(), $1, $2, $3, 'github.status_failed', $4, $5::jsonb)`,
    [
      projectId,
      branch!.id,
      buildId,
      'GitHub commit status "success" (slipway/development) could not be posted after 5 attempts: 502 Server Error',
      JSON.stringify({ verdict: "green", state: "success", context: "slipway/development", error: "502 Server Error", attempts: 5 }),
    ],
  );
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/builds/7`);
  await expect(page.getByTestId("commit-status")).toContainText("could not be posted after 5 attempts: 502");
});
