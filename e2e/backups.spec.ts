// Backups tab (issue 6) in Chromium against the real web app and worker: an admin creates a project
// on a local bare repository, pushes main through the signed webhook, makes main the production
// branch, takes a manual backup, downloads it as an Odoo zip and restores it; a Developer of the
// project sees no production backups (page and API).
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { generateSessionToken, hashSessionToken } from "../apps/web/src/server/auth/session-policy";
import { queryControlPlane, SESSION_COOKIE } from "./support/env";
import { createProject, logInAsAdmin, pushWebhook } from "./support/journey";

test.describe.configure({ mode: "serial" });
test.setTimeout(300_000);

const slug = `backups-${randomBytes(2).toString("hex")}`;
let repo: FixtureRepo;
let secret = "";

test.beforeAll(() => {
  repo = createFixtureRepo();
});
test.afterAll(() => repo?.remove());

async function push(page: Page, branch: string, revision: string) {
  expect((await pushWebhook(page, { slug, secret, branch, revision })).status()).toBe(202);
}

const backupsOf = (kind: string) =>
  queryControlPlane<{ id: string; state: string; error: string | null }>(
    `SELECT b.id, b.state::text, b.error FROM "Backup" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.kind::text = $2 ORDER BY b."createdAt"`,
    [slug, kind],
  );

test("an admin backs up the production branch, downloads the Odoo zip and restores it", async ({ page }) => {
  await logInAsAdmin(page);
  // The stand-in's databases say 17.0: a restore of another version would be refused (rightly).
  secret = await createProject(page, { name: "Backups", slug, repoUrl: repo.url, version: "17.0" });
  await push(page, "main", repo.push("main", ["green_addon"]));
  await expect
    .poll(
      async () =>
        (
          await queryControlPlane<{ state: string }>(
            'SELECT b.state::text FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = $1 AND b.number = 1',
            [slug],
          )
        )[0]?.state,
      { timeout: 180_000 },
    )
    .toBe("running");
  // main becomes the production branch (the Branches view's route); its running build's database is production's now.
  const moved = await page.request.post(`/api/projects/${slug}/branches/main/stage`, {
    data: { stage: "production" },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(moved.status()).toBe(200);

  await page.goto(`/projects/${slug}/backups`);
  await expect(page.getByRole("heading", { name: /Backups · main/ })).toBeVisible();
  await expect(page.getByTestId("backups-empty")).toBeVisible();
  await page.getByRole("button", { name: "Backup now" }).click();
  await expect(page.getByTestId("manual-backup-message")).toContainText("Backup queued (4 more manual backups possible today)");
  // Live: the row appears, then turns done without a reload.
  const row = page.locator('[data-testid^="backup-"][data-kind="manual"]');
  await expect(row).toHaveCount(1);
  await expect.poll(async () => (await backupsOf("manual"))[0], { timeout: 180_000 }).toMatchObject({ state: "done" });
  await expect(row).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  await expect(row.getByTestId("backup-state")).toHaveText("done");
  // The "queued" notice follows the backup and goes once it is done.
  await expect(page.getByTestId("manual-backup-message")).toHaveText("Backup done: it is in the list below.", { timeout: 30_000 });
  await expect(page.getByText(/Backup queued/)).toHaveCount(0);
  await expect(row.getByText(/^Manual$/)).toBeVisible();

  // Download: the worker prepares the zip, then the browser downloads it.
  const downloading = page.waitForEvent("download", { timeout: 180_000 });
  await row.getByRole("button", { name: "Download zip" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/_\d{8}T\d{6}Z\.zip$/);
  const stream = await download.createReadStream();
  const first = await new Promise<Buffer>((resolve, reject) => {
    stream.once("readable", () => resolve(stream.read(2) as Buffer));
    stream.once("error", reject);
  });
  stream.destroy();
  expect(first.toString("latin1")).toBe("PK");

  // Restore: the dialog names what gets overwritten; the worker takes a safety backup first.
  await row.getByRole("button", { name: "Restore…" }).click();
  await expect(page.getByTestId("restore-warning")).toContainText(
    "This overwrites the database and filestore of main (production). A safety backup of main is taken first",
  );
  await page.getByRole("button", { name: "Restore into main" }).click();
  await expect
    .poll(
      async () =>
        (
          await queryControlPlane<{ n: string }>(
            `SELECT count(*)::text AS n FROM "Event" e JOIN "Project" p ON p.id = e."projectId" WHERE p.slug = $1 AND e.kind = 'backup.restored'`,
            [slug],
          )
        )[0]?.n,
      { timeout: 240_000 },
    )
    .toBe("1");
  expect(await backupsOf("safety")).toEqual([expect.objectContaining({ state: "done" })]);
  // The restore ends with a success notice.
  await expect(page.getByTestId("operation-restore-done")).toContainText("Restore of main done", { timeout: 30_000 });
  await expect(page.locator('[data-testid^="backup-"][data-kind="safety"]')).toHaveCount(1, { timeout: 30_000 });
  const audit = await queryControlPlane<{ action: string }>(
    `SELECT a.action FROM "AuditEntry" a JOIN "Project" p ON p.id = a."projectId" WHERE p.slug = $1 AND a.action LIKE 'backup.%' ORDER BY a."createdAt"`,
    [slug],
  );
  expect(audit.map((a) => a.action)).toEqual(["backup.create", "backup.download", "backup.restore"]);
});

test("a Developer of the project sees no production backups", async ({ browser, baseURL }) => {
  const [user] = await queryControlPlane<{ id: string }>(
    `INSERT INTO "User" (id, login, "updatedAt") VALUES ($1, $2, now()) RETURNING id`,
    [randomUUID(), `dev-${randomBytes(3).toString("hex")}`],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") SELECT $1, p.id, $2, 'developer', now() FROM "Project" p WHERE p.slug = $3`,
    [randomUUID(), user!.id, slug],
  );
  const token = generateSessionToken();
  await queryControlPlane(`INSERT INTO "Session" (id, "tokenHash", "userId", "expiresAt") VALUES ($1, $2, $3, now() + interval '1 hour')`, [
    randomUUID(),
    hashSessionToken(token),
    user!.id,
  ]);
  const context = await browser.newContext();
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: baseURL! }]);
  const page = await context.newPage();

  await page.goto(`/projects/${slug}/backups`);
  await expect(page.getByTestId("backups-none")).toBeVisible();
  await expect(page.getByTestId("backups-list")).toHaveCount(0);
  await expect(page.getByTestId("backup-branches")).toHaveCount(0);
  const direct = await page.goto(`/projects/${slug}/backups?branch=main`);
  expect(direct?.status()).toBe(404);
  const api = await page.request.get(`/api/projects/${slug}/backups?branch=main`);
  expect(api.status()).toBe(403);
  expect((await api.json()).error.message).toBe("Your role (developer) does not give access to Backups on production builds.");
  const [backup] = await backupsOf("manual");
  expect((await page.request.get(`/api/projects/${slug}/backups/${backup!.id}/download?format=dump`)).status()).toBe(403);
  await context.close();
});
