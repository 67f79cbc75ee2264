// The first complete user journey (issue 4), in Chromium against the real web app and worker:
// create a project on a local bare repository, push revisions through the signed webhook, watch
// builds turn green or red without reloading, and Connect to the running build's Odoo.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { queryControlPlane } from "./support/env";
import { createProject, logInAsAdmin, pushWebhook } from "./support/journey";

test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const slug = `journey-${randomBytes(2).toString("hex")}`;
let repo: FixtureRepo;
let secret = "";

test.beforeAll(() => {
  repo = createFixtureRepo();
});
test.afterAll(() => repo?.remove());

/** The build's row as the worker left it: a red build shows its reason in the test's failure diff. */
const push = (page: Page, branch: string, revision: string, opts: { delivery?: string; signWith?: string } = {}) =>
  pushWebhook(page, { slug, secret, branch, revision, ...opts });

async function finalBuild(number: number) {
  let row: { state: string; result: string | null; failureReason: string | null } | undefined;
  await expect
    .poll(
      async () => {
        [row] = await queryControlPlane<{ state: string; result: string | null; failureReason: string | null }>(
          'SELECT b.state::text, b.result::text, b."failureReason" FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.number = $2',
          [slug, number],
        );
        return row && ["running", "failed", "cancelled"].includes(row.state);
      },
      { timeout: 180_000 },
    )
    .toBe(true);
  return row!;
}

const buildCount = async () =>
  Number(
    (
      await queryControlPlane<{ n: string }>(
        'SELECT count(*)::text AS n FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1',
        [slug],
      )
    )[0]?.n,
  );

test("a push with passing tests turns green without a reload, and Connect opens Odoo logged in", async ({ page }) => {
  await logInAsAdmin(page);
  secret = await createProject(page, { name: "Journey", slug, repoUrl: repo.url });
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  await page.goto(`/projects/${slug}?tab=builds`);
  const revision = repo.push("main", ["green_addon"]);
  const delivery = randomBytes(8).toString("hex");
  expect((await push(page, "main", revision, { delivery })).status()).toBe(202);
  // The same delivery again changes nothing; a forged signature is refused and writes nothing.
  expect((await push(page, "main", revision, { delivery })).status()).toBe(200);
  expect((await push(page, "main", revision, { signWith: "forged" })).status()).toBe(401);
  expect(await buildCount()).toBe(1);

  // No reload from here on: the page follows the build over its event stream.
  const cell = page.getByTestId("build-cell-1");
  await expect(cell).toBeVisible({ timeout: 30_000 });
  expect(await finalBuild(1)).toEqual({ state: "running", result: "green", failureReason: null });
  await expect(cell.getByTestId("build-status")).toHaveAttribute("data-result", "green");
  expect(await buildCount()).toBe(1);

  await cell.getByRole("link", { name: "#1" }).click();
  await expect(page.getByTestId("step-timeline")).toBeVisible();
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  // The build's own hostname (Chromium resolves *.localhost to loopback), through the proxy.
  await expect(page).toHaveURL(new RegExp(`^http://${slug}--main-1\\.slipway\\.localhost:\\d+/web`), { timeout: 30_000 });
  await expect(page.locator("body")).toContainText("admin");
});

test("a failing test turns the build red, its page shows the FAIL: line, and the installed build still runs and connects", async ({
  page,
}) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}?tab=builds`);
  expect((await push(page, "feature-failing", repo.push("feature-failing", ["failing_addon"]))).status()).toBe(202);
  const cell = page.getByTestId("build-cell-2");
  expect(await finalBuild(2)).toMatchObject({ state: "running", result: "red" });
  await expect(cell.getByTestId("build-status")).toHaveAttribute("data-result", "red");
  await cell.getByRole("link", { name: "#2" }).click();
  await expect(page.getByTestId("offending-lines")).toContainText("FAIL: TestFailing.test_fails");
  // Red because of its tests, not serverless (as on Odoo.sh): Connect opens it.
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page).toHaveURL(/^http:\/\/[^/]*--feature-failing(-[0-9a-f]+)?-2\.slipway\.localhost:\d+\/web/, { timeout: 30_000 });
  await expect(page.locator("body")).toContainText("admin");
});

test("a broken XML data file turns the build red with the CRITICAL line", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}?tab=builds`);
  expect((await push(page, "feature-broken", repo.push("feature-broken", ["broken_xml_addon"]))).status()).toBe(202);
  const cell = page.getByTestId("build-cell-3");
  expect(await finalBuild(3)).toMatchObject({ state: "failed", result: "red" });
  await expect(cell.getByTestId("build-status")).toHaveAttribute("data-result", "red");
  await cell.getByRole("link", { name: "#3" }).click();
  await expect(page.getByTestId("offending-lines")).toContainText("CRITICAL");
  await expect(page.getByTestId("offending-lines")).toContainText("Failed to initialize database");
  // No server could start: the build's URL says so and leads back to the build.
  const buildPage = page.url();
  const url = (await page
    .getByText(/--feature-broken(-[0-9a-f]+)?-3\.slipway\.localhost/)
    .first()
    .textContent())!.trim();
  const answer = await page.goto(url);
  expect(answer?.status()).toBe(503);
  await expect(page.getByRole("heading", { name: "Build #3 is red" })).toBeVisible();
  await page.getByRole("link", { name: /See the build/ }).click();
  await expect(page).toHaveURL(buildPage);
});
