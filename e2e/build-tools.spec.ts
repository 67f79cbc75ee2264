// Build tools (issue 8) in Chromium against the real web app and worker: a running development
// build's shell (xterm.js over the worker's terminal gateway, into the build's container), its
// odoo.log followed live while Odoo serves a request, History and Monitor.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { createProject, logInAsAdmin, pushWebhook } from "./support/journey";

test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const slug = `tools-${randomBytes(2).toString("hex")}`;
let repo: FixtureRepo;
let secret = "";

test.beforeAll(() => {
  repo = createFixtureRepo();
});
test.afterAll(() => repo?.remove());

const push = (page: Page, branch: string, revision: string) =>
  pushWebhook(page, { slug, secret, branch, revision, message: `Add the green addon on ${branch}` });

test("a running build's shell runs a typed command in its container and shows the output", async ({ page, context }) => {
  await logInAsAdmin(page);
  secret = await createProject(page, { name: "Tools", slug, repoUrl: repo.url });

  await page.goto(`/projects/${slug}?tab=builds`);
  expect((await push(page, "main", repo.push("main", ["green_addon"]))).status()).toBe(202);
  const cell = page.getByTestId("build-cell-1");
  await expect(cell.getByTestId("build-status")).toHaveAttribute("data-result", "green", { timeout: 180_000 });
  await cell.getByRole("link", { name: "#1" }).click();

  // Shell opens in its own browser tab.
  const [shell] = await Promise.all([
    context.waitForEvent("page"),
    page.getByTestId("build-tools-nav").getByRole("link", { name: /Shell/ }).click(),
  ]);
  await expect(shell).toHaveURL(new RegExp(`/projects/${slug}/builds/1/shell$`));
  await expect(shell.getByTestId("shell-frame")).toHaveAttribute("data-color", "yellow");
  await expect(shell.getByTestId("shell-status")).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  await expect(shell.locator(".xterm-rows")).toContainText("odoo@", { timeout: 10_000 });
  await shell.getByTestId("terminal").click();
  await shell.keyboard.type("echo SLIPWAY-$((6*7)) $(id -un) $PGDATABASE");
  await shell.keyboard.press("Enter");
  await expect(shell.locator(".xterm-rows")).toContainText("SLIPWAY-42 odoo ", { timeout: 10_000 });

  // A second tab gets its own session; exiting the shell closes it.
  const second = await context.newPage();
  await second.goto(`/projects/${slug}/builds/1/shell`);
  await expect(second.getByTestId("shell-status")).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  await second.getByTestId("terminal").click();
  await second.keyboard.type("exit");
  await second.keyboard.press("Enter");
  await expect(second.getByTestId("shell-status")).toHaveAttribute("data-state", "closed", { timeout: 10_000 });
  await expect(shell.getByTestId("shell-status")).toHaveAttribute("data-state", "open");
});

test("odoo.log is followed live: a request served by the build appears in the Logs view", async ({ page, context }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/builds/1/logs?file=odoo.log`);
  await expect(page.getByTestId("log-status")).toHaveAttribute("data-status", "following", { timeout: 10_000 });
  const marker = `/web/health?e2e=${randomBytes(4).toString("hex")}`;
  const visitor = await context.newPage();
  // From the request's answer (Odoo has written its log line) to the line shown in the view.
  await visitor.goto(`http://${slug}--main-1.slipway.localhost:${process.env.SLIPWAY_PROXY_PORT ?? "8480"}${marker}`);
  const answered = Date.now();
  await expect(page.getByTestId("log-lines")).toContainText(`"GET ${marker} HTTP/1.1" 200`, { timeout: 5_000 });
  const latencyMs = Date.now() - answered;
  console.log(`Odoo request line → followed Logs view: ${latencyMs} ms`);
  expect(latencyMs).toBeLessThan(1_000);

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("log-status")).toHaveAttribute("data-status", "paused");
  await page.getByRole("button", { name: "Play" }).click();
  await expect(page.getByTestId("log-status")).toHaveAttribute("data-status", "following", { timeout: 10_000 });
  const download = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download" }).click()]).then(
    ([d]) => d,
  );
  expect(download.suggestedFilename()).toBe(`${slug}-1-odoo.log`);
});

test("History lists the commit with its build and a Connect button; Monitor has its time ranges", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/builds/1/history`);
  const commit = page.getByTestId("history-commit").first();
  await expect(commit).toContainText("Add the green addon on main");
  await expect(commit.getByTestId("build-status")).toHaveAttribute("data-result", "green");
  await expect(commit.getByRole("button", { name: "Connect" })).toBeVisible();
  await expect(page.locator('[data-testid="history-event"][data-kind="build.ready"]')).toBeVisible();

  await page.goto(`/projects/${slug}/builds/1/monitor`);
  await expect(page.getByRole("button", { name: "24 hours" })).toBeVisible();
  await page.getByRole("button", { name: "7 days" }).click();
  await expect(page.getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
  // The worker samples running builds every 30 s.
  await expect(page.getByTestId("chart-cpu")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("chart-cpu")).toContainText(/Odoo: \d/, { timeout: 70_000 });
});
