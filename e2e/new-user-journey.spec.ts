// A new user's first day with Slipway (issue 14's "Done when"), in Chromium against the whole
// platform (web + worker, real Docker, PostgreSQL, Caddy, git): a project on a local repository
// with no webhook is built by the poller; Rebuild builds a new push's head; dragging a branch to
// staging starts its staging build; the branch page's tabs; a branch's test tags show in its next
// build's command; a local Tester signs in and sees a Tester's view; SSH into a development build
// with a profile key; deleting a branch, then the project, removes their containers, databases
// and routes. Each step builds on the one before (serial). Needs the worker (npm test starts web
// and worker) and OpenSSH's client and ssh-keygen.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { queryControlPlane } from "./support/env";
import { createProject, logInAsAdmin } from "./support/journey";
import { buildDatabases, buildsOf, caddyConfig, containersLabelled, logIn, waitForGreenBuild } from "./support/platform-resources";

// Every step waits for real builds of the stand-in image on a shared, busy machine.
test.describe.configure({ mode: "serial", timeout: 420_000 });

const suffix = randomBytes(2).toString("hex");
const slug = `journey-${suffix}`;
const projectName = `Journey ${suffix}`;
const tester = { login: `tess-${suffix}`, password: `tess-password-${suffix}` };
const testTags = "/green_addon,at_install";
let repo: FixtureRepo;
let home = "";
let fixHead = "";

test.beforeAll(() => {
  repo = createFixtureRepo();
  home = mkdtempSync(path.join(tmpdir(), "slipway-e2e-journey-"));
  // Three branches already in the repository before the project exists.
  repo.push("main", ["green_addon"], "Shop: first module");
  repo.push("feature", ["green_addon"], "Shop: a feature");
  fixHead = repo.push("fix", ["green_addon"], "Shop: a fix");
});
test.afterAll(() => {
  repo?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

const board = (page: Page) => page.goto(`/projects/${slug}`);
const isOwnDatabase = (name: string) => name === slug || name.startsWith(`${slug}_`) || name.startsWith(`${slug}--`);

test("a project on a repository without webhook: the poller finds its branches and builds them", async ({ page }) => {
  await logInAsAdmin(page);
  // The project is created through the form; no webhook is ever called in this journey.
  await createProject(page, { name: projectName, slug, repoUrl: repo.url });
  await expect(page.getByTestId("webhook-poll-interval")).toContainText(/also polled every/);
  for (const branch of ["main", "feature", "fix"]) await waitForGreenBuild(slug, branch);
  const builds = await buildsOf(slug);
  expect(builds.map((b) => b.stage)).toEqual(["development", "development", "development"]);
  expect(builds.find((b) => b.branch === "fix")?.revision).toBe(fixHead);
  // No webhook delivery reached the platform: the repository's poll found the branches.
  const [deliveries] = await queryControlPlane<{ n: string }>(
    'SELECT count(*)::text AS n FROM "WebhookDelivery" d JOIN "Project" p ON p.id = d."projectId" WHERE p.slug = $1',
    [slug],
  );
  expect(deliveries?.n).toBe("0");
  await board(page);
  for (const branch of ["main", "feature", "fix"])
    await expect(page.getByTestId("stage-development").getByTestId(`branch-${branch}`)).toBeVisible();
});

test("Rebuild after a new push builds the new head", async ({ page }) => {
  await logInAsAdmin(page);
  const before = fixHead;
  fixHead = repo.push("fix", ["green_addon"], "Shop: a second fix");
  expect(fixHead).not.toBe(before);
  await page.goto(`/projects/${slug}?tab=builds`);
  const row = page.getByTestId("branch-row-fix");
  await row.getByRole("button", { name: "Rebuild fix" }).click();
  await expect(row.getByRole("status")).toContainText("Build of fix requested");
  const build = await waitForGreenBuild(slug, "fix", (b) => b.revision === fixHead);
  expect(build.stage).toBe("development");
});

test("main goes to production; dragging feature to staging starts a staging build by itself", async ({ page }) => {
  await logInAsAdmin(page);
  page.on("dialog", (dialog) => void dialog.accept());
  await board(page);
  const development = page.getByTestId("stage-development");
  const staging = page.getByTestId("stage-staging");
  await development.getByTestId("branch-main").getByText("Move to…").click();
  await page.getByRole("group", { name: "Actions for main" }).getByRole("button", { name: "Production" }).click();
  await expect(page.getByTestId("stage-production").getByTestId("branch-main")).toBeVisible();
  // Staging copies production: its database must exist first.
  await waitForGreenBuild(slug, "main", (b) => b.stage === "production");

  const before = (await buildsOf(slug)).length;
  await development.getByTestId("branch-feature").dragTo(staging);
  await expect(staging.getByTestId("branch-feature")).toBeVisible();
  const build = await waitForGreenBuild(slug, "feature", (b) => b.stage === "staging");
  expect(build.number).toBeGreaterThan(before);
});

test("the branch page shows the branch, its stage and its tabs", async ({ page }) => {
  await logInAsAdmin(page);
  await board(page);
  await page.getByTestId("stage-development").getByTestId("branch-fix").getByTestId("branch-page-link").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}/branches/fix$`));
  await expect(page.getByTestId("branch-name")).toHaveText("fix");
  await expect(page.getByTestId("branch-stage")).toHaveText(/development/i);
  const sidebar = page.getByTestId("branch-sidebar");
  await expect(sidebar.getByTestId("sidebar-production").getByRole("link", { name: "main" })).toBeVisible();
  await expect(sidebar.getByTestId("sidebar-staging").getByRole("link", { name: "feature" })).toBeVisible();
  const tabs = page.getByTestId("branch-tabs").locator("[data-testid^=branch-tab-]");
  for (const name of ["History", "Logs", "Settings"]) await expect(tabs.filter({ hasText: name })).toHaveCount(1);
  await expect(page.getByTestId("history-commit").first()).toContainText("Shop: a second fix");
  const latest = (await buildsOf(slug)).filter((b) => b.branch === "fix").at(-1)!;
  await expect(page.getByTestId("branch-tab-shell")).toHaveAttribute("href", `/projects/${slug}/builds/${latest.number}/shell`);
  await page.getByTestId("branch-tab-logs").click();
  await expect(page).toHaveURL(new RegExp(`/branches/fix/logs$`));
  await page.getByTestId("branch-tab-settings").click();
  await expect(page).toHaveURL(new RegExp(`/branches/fix/settings$`));
  await expect(page.getByTestId("branch-settings")).toHaveAttribute("data-stage", "development");
});

test("test tags changed in the branch settings are in the next build's command", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/branches/fix/settings`);
  const form = page.getByTestId("branch-settings");
  await form.getByRole("checkbox", { name: "Use Default" }).uncheck();
  await page.getByTestId("settings-test-tags").fill(testTags);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("branch-settings-notice")).toContainText("The next build of this branch uses them");

  const before = (await buildsOf(slug)).length;
  await page.goto(`/projects/${slug}?tab=builds`);
  await page.getByTestId("branch-row-fix").getByRole("button", { name: "Rebuild fix" }).click();
  const build = await waitForGreenBuild(slug, "fix", (b) => b.number > before);
  await page.goto(`/projects/${slug}/builds/${build.number}`);
  await expect(page.getByTestId("step-install").getByTestId("step-command")).toContainText(`--test-tags ${testTags}`);
});

test("a local user added as Tester signs in and sees what a Tester sees", async ({ page, browser, baseURL }) => {
  await logInAsAdmin(page);
  await page.getByRole("link", { name: "Users", exact: true }).click();
  const form = page.getByRole("form", { name: "New local user" });
  await form.getByLabel("Login").fill(tester.login);
  await form.getByLabel("Name").fill("Tess Tester");
  await form.getByLabel("Set an initial password").check();
  await form.getByLabel("Initial password", { exact: true }).fill(tester.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("create-user-notice")).toContainText(`${tester.login} created`);

  await page.goto(`/projects/${slug}/settings`);
  await page.getByLabel("Local login or GitHub username").fill(tester.login);
  await page.locator('form:has(input[name="login"]) select[name="role"]').selectOption("tester");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(`${tester.login} added as tester.`);

  const builds = await buildsOf(slug);
  const stagingBuild = builds.filter((b) => b.stage === "staging").at(-1)!;
  const productionBuild = builds.filter((b) => b.stage === "production").at(-1)!;
  const context = await browser.newContext({ baseURL });
  try {
    const own = await context.newPage();
    await logIn(own, tester.login, tester.password);
    await expect(own.getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
    await own.getByRole("link", { name: projectName }).click();
    await expect(own).toHaveURL(new RegExp(`/projects/${slug}$`));
    await expect(own.getByTestId("project-settings-link")).toHaveCount(0);
    await expect(own.getByTestId("stage-staging").getByTestId("branch-feature")).toBeVisible();
    // Staging logs yes; production's logs, the settings and the audit log no.
    expect((await own.request.get(`/api/projects/${slug}/builds/${stagingBuild.number}/logs`)).status()).toBe(200);
    expect((await own.request.get(`/api/projects/${slug}/builds/${productionBuild.number}/logs`)).status()).toBe(403);
    for (const p of [`/projects/${slug}/settings`, `/projects/${slug}/audit`, "/admin/users"])
      expect((await own.request.get(p)).status(), p).toBe(404);
  } finally {
    await context.close();
  }
});

test("SSH into a development build with a key added on the profile runs a command", async ({ page }) => {
  const keyFile = path.join(home, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${slug}@e2e`, "-f", keyFile]);
  await logInAsAdmin(page);
  await page.getByTestId("profile-link").click();
  await page.getByLabel("Public key").fill(readFileSync(`${keyFile}.pub`, "utf8"));
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("profile-notice")).toContainText("added (SHA256:");

  const build = (await buildsOf(slug)).filter((b) => b.branch === "fix" && b.state === "running").at(-1)!;
  await page.goto(`/projects/${slug}/builds/${build.number}/shell`);
  const command = (await page.getByTestId("ssh-command").locator("code").textContent())!.trim();
  const [program, target, ...rest] = command.split(/\s+/);
  expect(program).toBe("ssh");
  const options = ["-F", "/dev/null", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-T"];
  options.push("-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${path.join(home, "known_hosts")}`);
  const output = execFileSync("ssh", [...options, ...rest, target!, 'echo "$PGDATABASE $(id -un)"'], {
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: home },
  });
  expect(output).toBe(`${build.databaseName} odoo\n`);
});

test("deleting a branch, then the project, removes their containers, databases and routes", async ({ page }) => {
  await logInAsAdmin(page);
  const [project] = await queryControlPlane<{ id: string }>('SELECT id FROM "Project" WHERE slug = $1', [slug]);
  const fix = (await buildsOf(slug)).filter((b) => b.branch === "fix");
  const running = fix.filter((b) => b.state === "running");
  expect(running.length).toBeGreaterThan(0);
  // Before: the running build has its containers, its database and its route.
  for (const b of running) {
    expect(containersLabelled("build", b.id).length).toBeGreaterThan(0);
    expect(buildDatabases()).toContain(b.databaseName);
    expect(await caddyConfig(page)).toContain(b.id);
  }

  await page.goto(`/projects/${slug}/branches/fix`);
  await page.getByTestId("shell-command-delete").click();
  await page.getByTestId("delete-branch").click();
  await page.getByLabel("Branch name to confirm").fill("fix");
  await page.getByRole("button", { name: "Delete this branch" }).click();
  await expect
    .poll(
      async () => {
        const config = await caddyConfig(page);
        const databases = buildDatabases();
        return fix.filter(
          (b) =>
            containersLabelled("build", b.id).length > 0 || (b.databaseName && databases.includes(b.databaseName)) || config.includes(b.id),
        ).length;
      },
      { timeout: 120_000, intervals: [2_000] },
    )
    .toBe(0);
  await board(page);
  await expect(page.getByTestId("branch-fix")).toHaveCount(0);
  // The other branches keep theirs.
  expect(containersLabelled("project", project!.id).length).toBeGreaterThan(0);
  expect(buildDatabases().filter(isOwnDatabase).length).toBeGreaterThan(0);
  expect(await caddyConfig(page)).toContain(project!.id);

  await page.goto(`/projects/${slug}/settings`);
  await page.getByLabel("Project name to confirm").fill(slug);
  await page.getByRole("button", { name: "Delete this project" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByRole("link", { name: projectName })).toHaveCount(0);
  await expect
    .poll(
      async () => ({
        containers: containersLabelled("project", project!.id),
        databases: buildDatabases().filter(isOwnDatabase),
        routed: (await caddyConfig(page)).includes(project!.id),
      }),
      { timeout: 180_000, intervals: [2_000] },
    )
    .toEqual({ containers: [], databases: [], routed: false });
});
