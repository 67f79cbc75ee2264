// The project pages follow builds live and drive Connect. The worker is stood in for by writing the
// rows it would write and publishing its notice (the real push → build journey is push-build.spec.ts).
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Redis } from "ioredis";
import { publishProjectNotice } from "../packages/queue/src/live-events";
import { adminCredentials, queryControlPlane } from "./support/env";

test.describe.configure({ mode: "serial" });

const slug = `e2e-live-${randomBytes(3).toString("hex")}`;
const folder = mkdtempSync(path.join(tmpdir(), "slipway-e2e-live-"));
const repoPath = path.join(folder, "live.git");
execFileSync("git", ["init", "--quiet", "--bare", repoPath]);
const home = process.env.SLIPWAY_HOME ?? path.join(import.meta.dirname, "..", ".slipway");
const createdLogDirs: string[] = [];
let projectId = "";
let branchId = "";
const builds: Record<number, string> = {};

test.afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  for (const dir of createdLogDirs) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  const { login, password } = adminCredentials();
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

/** Writes a finished build the way the worker records one. */
async function insertBuild(
  number: number,
  fields: { state: string; result: string; hostname?: string; offending?: unknown[] },
): Promise<string> {
  const id = randomUUID();
  builds[number] = id;
  await queryControlPlane(
    `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, "commitMessage", "commitAuthor", state, result, "inProgressSlot",
       hostname, "databaseName", "offendingLines", "startedAt", "finishedAt", "updatedAt")
     VALUES ($1, $2, $3, $4, 'development', $5, $6, 'Dev <dev@example.com>', $7::"BuildState", $8::"BuildResult", NULL, $9, $10, $11::jsonb,
       now() - interval '95 seconds', now(), now())`,
    [
      id,
      projectId,
      branchId,
      number,
      `${number}`.repeat(40).slice(0, 40),
      `Commit number ${number}`,
      fields.state,
      fields.result,
      fields.hostname ?? null,
      fields.hostname ? `${slug}--feature-live-${number}` : null,
      JSON.stringify(fields.offending ?? null),
    ],
  );
  const steps: [string, string, string | null][] = [
    ["fetch", "succeeded", null],
    ["install", fields.result === "red" ? "failed" : "succeeded", fields.result === "red" ? "1 test failed" : null],
  ];
  for (const [position, [name, state, error]] of steps.entries()) {
    await queryControlPlane(
      `INSERT INTO "BuildStep" (id, "buildId", name, position, state, error, "startedAt", "finishedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"StepState", $5, now() - interval '90 seconds', now() - interval '30 seconds')`,
      [id, name, position, state, error],
    );
  }
  return id;
}

async function notify(buildId: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    await publishProjectNotice(redis, { projectId, buildId, kind: "build" });
  } finally {
    redis.disconnect();
  }
}

test("a new build appears in the Builds view without a reload, and its page shows steps, offending lines and logs", async ({ page }) => {
  await signIn(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill("Live");
  await page.getByLabel("Project slug").fill(slug);
  await page.getByLabel("Repository URL").fill(repoPath);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));

  projectId = (await queryControlPlane<{ id: string }>('SELECT id FROM "Project" WHERE slug = $1', [slug]))[0]!.id;
  branchId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Branch" (id, "projectId", name, "headRevision", "updatedAt") VALUES ($1, $2, 'feature-live', $3, now())`,
    [branchId, projectId, "1".repeat(40)],
  );
  const red = await insertBuild(1, {
    state: "failed",
    result: "red",
    offending: [{ step: "install", level: "ERROR", line: 42, text: "FAIL: TestLive.test_fails", run: "install" }],
  });
  const logs = path.join(home, "builds", red, "logs");
  mkdirSync(logs, { recursive: true });
  createdLogDirs.push(path.dirname(logs));
  writeFileSync(path.join(logs, "install.log"), "INFO live: Modules loaded.\nERROR live: FAIL: TestLive.test_fails\n");

  await page.getByRole("link", { name: "Builds" }).click();
  const first = page.getByTestId("build-cell-1");
  await expect(first.getByTestId("build-status")).toHaveText("Red · Failed");
  await expect(page.getByTestId("branch-row-feature-live")).toBeVisible();

  // A marker on window survives router.refresh() but not a reload.
  await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
  await notify(await insertBuild(2, { state: "running", result: "yellow", hostname: `${slug}--feature-live-2.slipway.localhost` }));
  await expect(page.getByTestId("build-cell-2").getByTestId("build-status")).toHaveAttribute("data-result", "yellow");
  expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);

  // Search filters branches by name or commit message (server side).
  await page.getByLabel("Search branches").fill("no-such-branch");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No branch matches")).toBeVisible();
  await page.getByLabel("Search branches").fill("commit number 2");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("branch-row-feature-live")).toBeVisible();

  await page.getByTestId("build-cell-1").getByRole("link", { name: "#1" }).click();
  await expect(page.getByRole("heading", { name: "Build #1", level: 1 })).toBeVisible();
  await expect(page.getByTestId("step-install")).toContainText("1 test failed");
  await expect(page.getByTestId("offending-lines")).toContainText("FAIL: TestLive.test_fails");
  await page.getByTestId("log-install.log").getByText("install.log").click();
  await expect(page.getByTestId("log-install.log")).toContainText("Modules loaded.");
  await expect(page.getByRole("button", { name: "Connect", exact: true })).toHaveCount(0);
});

test("Connect and Connect as post a signed token to the build (never in the URL)", async ({ page }) => {
  await signIn(page);
  const hostname = `${slug}--feature-live-2.slipway.localhost`;
  const opened: { url: URL; method: string; token: string | null }[] = [];
  // Stands in for the build's Odoo behind the proxy.
  await page.route(
    (url) => url.hostname === hostname,
    (route) => {
      const request = route.request();
      opened.push({
        url: new URL(request.url()),
        method: request.method(),
        token: new URLSearchParams(request.postData() ?? "").get("token"),
      });
      return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Odoo stand-in</h1>" });
    },
  );
  const claims = (token: string | null) => JSON.parse(Buffer.from(token!.split(".")[0]!, "base64url").toString());

  await page.goto(`/projects/${slug}/builds/2`);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Odoo stand-in" })).toBeVisible();
  expect(opened[0]).toMatchObject({ method: "POST" });
  expect(opened[0]!.url.pathname).toBe("/slipway/connect");
  expect(opened[0]!.url.search).toBe("");
  expect(claims(opened[0]!.token)).toMatchObject({ db: `${slug}--feature-live-2`, login: "admin" });

  await page.goto(`/projects/${slug}/builds/2`);
  await page.getByLabel("Login").fill("demo");
  await page.getByRole("button", { name: "Connect as" }).click();
  await expect(page.getByRole("heading", { name: "Odoo stand-in" })).toBeVisible();
  expect(opened[1]).toMatchObject({ method: "POST" });
  expect(claims(opened[1]!.token)).toMatchObject({ login: "demo" });
  expect(opened[1]!.token).not.toBe(opened[0]!.token);
});
