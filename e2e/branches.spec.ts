// Branches view (issue 5) in Chromium against the real web app: native drag and drop moves a
// branch between stages, the server's refusals are shown, the "Move to…" menu works from the
// keyboard, and dropping a branch onto another merges it in the real (local bare) repository.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { adminCredentials, queryControlPlane } from "./support/env";
import { createProject, logInAsAdmin, pushWebhook } from "./support/journey";

test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);

const slug = `moves-${randomBytes(2).toString("hex")}`;
let repo: FixtureRepo;
let secret = "";

test.beforeAll(() => {
  repo = createFixtureRepo();
});
test.afterAll(() => repo?.remove());

/** A branch off main with one more file (fixture pushes create unrelated orphan branches). */
function branchOffMain(branch: string): string {
  const work = mkdtempSync(path.join(tmpdir(), "slipway-e2e-branch-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=ada@example.org", ...args], { cwd: work, encoding: "utf8" }).trim();
  try {
    git("clone", "-q", repo.url, ".");
    git("checkout", "-q", "-b", branch, "origin/main");
    writeFileSync(path.join(work, "NOTES.md"), `work on ${branch}\n`);
    git("add", ".");
    git("commit", "-qm", `work on ${branch}`);
    git("push", "-q", "origin", `HEAD:refs/heads/${branch}`);
    return git("rev-parse", "HEAD");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const head = (branch: string) =>
  execFileSync("git", ["--git-dir", repo.url, "rev-parse", `refs/heads/${branch}`], { encoding: "utf8" }).trim();

async function push(page: Page, branch: string, revision: string) {
  expect((await pushWebhook(page, { slug, secret, branch, revision, message: `work on ${branch}` })).status()).toBe(202);
}

test("moves branches by drag and drop and by the menu, shows refusals, merges by dropping onto a branch", async ({ page }) => {
  await logInAsAdmin(page);
  secret = await createProject(page, { name: "Moves", slug, repoUrl: repo.url });
  // The webhook panel says how often the repository is polled (the worker's real interval).
  await expect(page.getByTestId("webhook-poll-interval")).toContainText(/also polled every (\d+ )?(second|minute|hour)s?/);
  await push(page, "main", repo.push("main", ["green_addon"]));
  await push(page, "feature", branchOffMain("feature"));
  await page.reload();
  page.on("dialog", (dialog) => void dialog.accept());

  const development = page.getByTestId("stage-development");
  const staging = page.getByTestId("stage-staging");
  const production = page.getByTestId("stage-production");
  await expect(development.getByTestId("branch-feature")).toBeVisible();

  // Keyboard/menu fallback: main becomes the production branch (confirmed).
  await development.getByTestId("branch-main").getByText("Move to…").click();
  await page.getByRole("group", { name: "Actions for main" }).getByRole("button", { name: "Production" }).click();
  await expect(page.getByTestId("branch-feedback")).toContainText('"main" moved to Production');
  await expect(production.getByTestId("branch-main")).toBeVisible();

  // Drag and drop: feature under Staging.
  await development.getByTestId("branch-feature").dragTo(staging);
  await expect(staging.getByTestId("branch-feature")).toBeVisible();

  // A refused move: staging → production, with the server's message.
  await staging.getByTestId("branch-feature").dragTo(production, { targetPosition: { x: 20, y: 10 } });
  await expect(page.getByTestId("branch-feedback")).toContainText("cannot become the production branch");
  await expect(staging.getByTestId("branch-feature")).toBeVisible();

  // Drop feature ONTO main: merge and push main.
  const before = head("main");
  await staging.getByTestId("branch-feature").dragTo(production.getByTestId("branch-main"));
  await expect(page.getByTestId("branch-feedback")).toContainText('Merged "feature" into "main"');
  expect(head("main")).not.toBe(before);
});

test("a branch without a build offers Build now; the worker is asked to build its head", async ({ page }) => {
  await logInAsAdmin(page);
  // A project of its own (the worker is not needed): a branch Slipway knows without any build.
  const own = `buildnow-${randomBytes(2).toString("hex")}`;
  await createProject(page, { name: "Build now", slug: own, repoUrl: repo.url });
  await queryControlPlane(
    `INSERT INTO "Branch" (id, "projectId", name, "headRevision", "updatedAt") SELECT $1, id, 'idle', $2, now() FROM "Project" WHERE slug = $3`,
    [randomUUID(), repo.push("idle", ["green_addon"], "Idle branch"), own],
  );
  await page.goto(`/projects/${own}`);
  const card = page.getByTestId("stage-development").getByTestId("branch-idle");
  await expect(card.getByText("no build")).toBeVisible();
  await card.getByRole("button", { name: "Build now idle" }).click();
  await expect(card.getByRole("status")).toContainText("Build of idle requested: reading its head in the repository");
});

test("the Mails tab lists a build's caught message and shows its HTML sandboxed, its text and headers", async ({ page }) => {
  const [build] = await queryControlPlane<{ id: string; projectId: string; number: number }>(
    'SELECT b.id, b."projectId", b.number FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.stage = \'development\' ORDER BY b.number LIMIT 1',
    [slug],
  );
  const id = randomUUID();
  const home = process.env.SLIPWAY_HOME || path.resolve(".slipway");
  const file = path.join(home, "mails", build!.id, `${id}.eml`);
  mkdirSync(path.dirname(file), { recursive: true });
  const raw = [
    "From: odoo@example.com",
    "To: customer@example.com",
    "Subject: Welcome aboard",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "Hello in text",
    "--b",
    "Content-Type: text/html",
    "",
    "<h1>Hello in HTML</h1><script>top.location='https://example.com'</script>",
    "--b--",
    "",
  ].join("\r\n");
  writeFileSync(file, raw);
  await queryControlPlane(
    'INSERT INTO "Mail" (id, "projectId", "buildId", "fromAddress", "toAddresses", subject, "sizeBytes", "hasAttachments", "rawPath") VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8)',
    [id, build!.projectId, build!.id, "odoo@example.com", ["customer@example.com"], "Welcome aboard", raw.length, file],
  );
  try {
    const { login, password } = adminCredentials();
    await page.goto("/login");
    await page.getByLabel("Login").fill(login);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/projects$/);
    await page.goto(`/projects/${slug}/builds/${build!.number}`);
    await page.getByTestId("build-tools-nav").getByRole("link", { name: "Mails" }).click();
    await page.getByTestId("mails-list").getByRole("link", { name: "Welcome aboard" }).click();
    const frame = page.getByTestId("mail-html");
    await expect(frame).toHaveAttribute("sandbox", "");
    await expect(page.frameLocator('[data-testid="mail-html"]').getByRole("heading", { name: "Hello in HTML" })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/builds/${build!.number}/mails`));
    await page.getByRole("link", { name: "Text" }).click();
    await expect(page.getByTestId("mail-text")).toContainText("Hello in text");
    await page.getByRole("link", { name: "Headers" }).click();
    await expect(page.getByTestId("mail-headers")).toContainText("Subject: Welcome aboard");
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
