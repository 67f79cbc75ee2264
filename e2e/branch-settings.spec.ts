// Branch settings and project settings from a user's side (issue 14): the Settings tab of a
// development branch shows the seed's options, refuses bad test tags keeping what was typed, saves
// good ones; the build page shows the Odoo command line a build ran (the worker records it:
// apps/worker/src/builds/branch-settings.int.test.ts proves the next build carries the new tags);
// a staging branch only has its behaviour upon new commits; the project's settings rename it and
// refuse an image outside the allowlist with the typed value kept.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { hashPassword } from "../apps/web/src/server/auth/password";
import { queryControlPlane } from "./support/env";

test.describe.configure({ mode: "serial", timeout: 90_000 });

const suffix = randomBytes(3).toString("hex");
const slug = `e2e-settings-${suffix}`;
let projectId = "";
// The project's admin: a local account of this spec (the platform's own admin is not needed).
const login = `settings-admin-${suffix}`;
const password = `pw-${randomBytes(8).toString("hex")}`;
const branchIds: Record<string, string> = {};
const branchUrl = (name: string) => `/projects/${slug}/branches/${encodeURIComponent(name)}/settings`;

test.beforeAll(async () => {
  const adminId = randomUUID();
  // Cheap scrypt parameters: they travel with the hash, the login verifies with them.
  const passwordHash = await hashPassword({ password, params: { N: 2 ** 14, r: 8, p: 1 } });
  await queryControlPlane(`INSERT INTO "User" (id, login, "passwordHash", "updatedAt") VALUES ($1, $2, $3, now())`, [
    adminId,
    login,
    passwordHash,
  ]);
  projectId = randomUUID();
  // A repository path that does not exist: no poll or push ever builds this project by itself.
  await queryControlPlane(
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "updatedAt")
     VALUES ($1, $2, 'Settings shop', '/srv/git/settings-shop.git', '17.0', 'slipway/odoo-standin:17.0', 'slipway.localhost', $3, now())`,
    [projectId, slug, encryptSecret("e2e-webhook-secret", Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64"))],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`,
    [projectId, adminId],
  );
  for (const [name, stage] of [
    ["feature", "development"],
    ["uat", "staging"],
  ] as const) {
    branchIds[name] = randomUUID();
    await queryControlPlane(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "pushBehavior", "updatedAt") VALUES ($1, $2, $3, $4::"Stage", $5::"PushBehavior", now())`,
      [branchIds[name], projectId, name, stage, stage === "staging" ? "update_previous" : "new_build"],
    );
  }
});

test.afterAll(async () => {
  if (projectId) await queryControlPlane('DELETE FROM "Project" WHERE id = $1', [projectId]);
  await queryControlPlane('DELETE FROM "User" WHERE login = $1', [login]);
});

async function logInAsAdmin(page: Page): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

test("a development branch's test tags: refused when malformed (typed value kept), saved when valid, shown in the build's command", async ({
  page,
}) => {
  await logInAsAdmin(page);
  await page.goto(branchUrl("feature"));
  const form = page.getByTestId("branch-settings");
  await expect(form).toHaveAttribute("data-stage", "development");
  await expect(form.getByRole("radio", { name: "New build" })).toBeChecked();
  await expect(form.getByRole("radio", { name: "Update previous build" })).toHaveCount(0);
  await expect(form.getByRole("checkbox", { name: "Use Default" })).toBeChecked();
  await form.getByRole("checkbox", { name: "Use Default" }).uncheck();
  await expect(form.getByRole("radio", { name: "Install only my modules (does not include submodules)" })).toBeChecked();
  await expect(form.getByRole("checkbox", { name: "Validate the test suite on new builds" })).toBeChecked();

  const tags = page.getByTestId("settings-test-tags");
  await tags.fill("bad tag");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("branch-settings-error")).toContainText('Invalid test tag: "bad tag"');
  await expect(tags).toHaveValue("bad tag");
  const [untouched] = await queryControlPlane<{ testTags: string | null }>('SELECT "testTags" FROM "Branch" WHERE id = $1', [
    branchIds.feature,
  ]);
  expect(untouched?.testTags).toBeNull();

  await tags.fill("/green_addon, at_install");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("branch-settings-notice")).toContainText("The next build of this branch uses them");
  const [saved] = await queryControlPlane<{ testTags: string | null }>('SELECT "testTags" FROM "Branch" WHERE id = $1', [
    branchIds.feature,
  ]);
  expect(saved?.testTags).toBe("/green_addon,at_install");
  const audit = await queryControlPlane<{ target: string }>(
    `SELECT target FROM "AuditEntry" WHERE "projectId" = $1 AND action = 'branch.settings'`,
    [projectId],
  );
  expect(audit.map((a) => a.target)).toEqual(["feature"]);
  await page.reload();
  await expect(page.getByTestId("settings-test-tags")).toHaveValue("/green_addon,at_install");
  // The README's picture of the Settings tab.
  await page.setViewportSize({ width: 1360, height: 1000 });
  await page.addStyleTag({ content: "nextjs-portal { display: none !important; }" });
  const shots = path.join(import.meta.dirname, "..", "docs", "screenshots");
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, "branch-settings.png"), fullPage: true });

  // The next build, as the worker records its steps: the build page shows the command line it ran.
  const buildId = randomUUID();
  const command = ["odoo", "-d", `${slug}-feature-1`, "-i", "green_addon", "--test-enable", "--test-tags", "/green_addon,at_install"];
  await queryControlPlane(
    `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, state, result, "inProgressSlot", "updatedAt")
     VALUES ($1, $2, $3, 1, 'development', $4, 'running', 'green', NULL, now())`,
    [buildId, projectId, branchIds.feature, "d".repeat(40)],
  );
  await queryControlPlane(
    `INSERT INTO "BuildStep" (id, "buildId", name, position, state, detail) VALUES
     (gen_random_uuid(), $1, 'dependencies', 2, 'succeeded', $2::jsonb), (gen_random_uuid(), $1, 'install', 4, 'succeeded', $3::jsonb)`,
    [
      buildId,
      JSON.stringify({ image: "slipway/odoo-standin:17.0", reused: true, baseImage: "slipway/odoo-standin:17.0" }),
      JSON.stringify({ modules: ["green_addon"], command, durationMs: 1 }),
    ],
  );
  await page.goto(`/projects/${slug}/builds/1`);
  await expect(page.getByTestId("step-install").getByTestId("step-command")).toContainText("--test-tags /green_addon,at_install");
  await expect(page.getByTestId("step-dependencies").getByTestId("step-image")).toContainText("slipway/odoo-standin:17.0");
});

test("a staging branch shows only its behaviour upon new commits; the version setting derives the image", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(branchUrl("uat"));
  const form = page.getByTestId("branch-settings");
  await expect(form).toHaveAttribute("data-stage", "staging");
  await expect(form.getByRole("radio")).toHaveCount(3);
  await expect(form.getByRole("radio", { name: "Update previous build" })).toBeChecked();
  await expect(page.getByTestId("settings-test-tags")).toHaveCount(0);
  await form.getByRole("radio", { name: "New build" }).check();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("branch-settings-notice")).toBeVisible();
  const [uat] = await queryControlPlane<{ pushBehavior: string }>('SELECT "pushBehavior"::text FROM "Branch" WHERE id = $1', [
    branchIds.uat,
  ]);
  expect(uat?.pushBehavior).toBe("new_build");

  await page.goto(branchUrl("feature"));
  await page.getByLabel("Version").selectOption("18.0");
  await expect(page.getByTestId("settings-image")).toContainText("slipway/odoo-standin:18.0");
  await page.getByLabel("Revision").fill("20250110");
  await expect(page.getByTestId("settings-image")).toContainText("slipway/odoo-standin:18.0-20250110");
});

test("project settings: rename keeps the slug; an image outside the allowlist is refused with the typed value kept", async ({ page }) => {
  await logInAsAdmin(page);
  await page.goto(`/projects/${slug}/settings`);
  const form = page.getByTestId("project-settings-form");
  await form.getByLabel("Name").fill("Settings shop EU");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("project-settings-notice")).toContainText("Future builds use them");
  const [row] = await queryControlPlane<{ name: string; slug: string }>('SELECT name, slug FROM "Project" WHERE id = $1', [projectId]);
  expect(row).toEqual({ name: "Settings shop EU", slug });

  await page.getByTestId("project-settings-form").getByLabel("Odoo image").fill("evil/odoo:17.0");
  await page.getByTestId("project-settings-form").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("project-settings-form").getByTestId("field-error")).toContainText("not allowed");
  await expect(page.getByTestId("project-settings-form").getByLabel("Odoo image")).toHaveValue("evil/odoo:17.0");
  const [image] = await queryControlPlane<{ odooImage: string }>('SELECT "odooImage" FROM "Project" WHERE id = $1', [projectId]);
  expect(image?.odooImage).toBe("slipway/odoo-standin:17.0");
});
