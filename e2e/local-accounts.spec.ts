// Local accounts in the browser (issue 14): the superuser creates a local user on the Users page,
// adds them to a project as Tester (GitHub is not running here, so a GitHub username is refused
// with the typed value kept), signs out, and the new user signs in and sees what a Tester sees —
// staging logs, not production's, no settings, no Users page. A second user is invited by a
// one-time link. The project and its builds are rows written the way the worker writes them.
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { adminCredentials, queryControlPlane } from "./support/env";

test.describe.configure({ mode: "serial" });

const suffix = randomBytes(3).toString("hex");
const slug = `e2e-local-${suffix}`;
const projectName = `Local team ${suffix}`;
const tester = { login: `tina-${suffix}`, password: `tina-password-${suffix}` };
const invitee = { login: `ivan-${suffix}`, password: `ivan-password-${suffix}` };
const numbers = { production: 1, staging: 2, development: 3 } as const;
const buildPage = (stage: keyof typeof numbers) => `/projects/${slug}/builds/${numbers[stage]}`;

test.beforeAll(async () => {
  const [admin] = await queryControlPlane<{ id: string }>('SELECT id FROM "User" WHERE login = $1', [adminCredentials().login]);
  if (!admin) throw new Error("the local admin account does not exist yet");
  const projectId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "updatedAt")
     VALUES ($1, $2, $3, '/srv/git/local.git', '17.0', 'odoo:17.0', 'slipway.localhost', $4, now())`,
    [projectId, slug, projectName, encryptSecret("e2e-webhook-secret", Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64"))],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`,
    [projectId, admin.id],
  );
  for (const [stage, number] of Object.entries(numbers)) {
    const branchId = randomUUID();
    await queryControlPlane(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "productionSlot", "headRevision", "updatedAt") VALUES ($1, $2, $3, $4::"Stage", $5, $6, now())`,
      [branchId, projectId, `${stage}-line`, stage, stage === "production" ? true : null, "c".repeat(40)],
    );
    await queryControlPlane(
      `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, state, result, "inProgressSlot", hostname, "databaseName", "offendingLines", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Stage", $5, 'running', 'red', NULL, $6, $7, $8::jsonb, now())`,
      [
        projectId,
        branchId,
        number,
        stage,
        "c".repeat(40),
        `${slug}-${stage}.slipway.localhost`,
        `${slug}_${stage}`.replaceAll("-", "_"),
        JSON.stringify([{ step: "install", level: "ERROR", line: 3, text: `local ${stage} failure` }]),
      ],
    );
  }
});

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId("current-user")).toHaveText(login);
}

test("the superuser creates a local user, adds them as Tester, and signs out", async ({ page }) => {
  await signIn(page, adminCredentials().login, adminCredentials().password);
  await page.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();

  const form = page.getByRole("form", { name: "New local user" });
  await form.getByLabel("Login").fill(tester.login);
  await form.getByLabel("Name").fill("Tina Tester");
  await form.getByLabel("E-mail").fill(`${tester.login}@example.test`);
  await form.getByLabel("Set an initial password").check();
  await form.getByLabel("Initial password", { exact: true }).fill("short");
  // The browser's own checks are bypassed to see the server's answer.
  await form.evaluate((f) => f.setAttribute("novalidate", ""));
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("create-user-error")).toHaveText("The password needs at least 10 characters.");
  await expect(form.getByLabel("Login")).toHaveValue(tester.login);
  await form.getByLabel("Set an initial password").check();
  await form.getByLabel("Initial password", { exact: true }).fill(tester.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("create-user-notice")).toHaveText(`${tester.login} created; they can sign in with the password you chose.`);
  const row = page.locator(`tr[data-login="${tester.login}"]`);
  await expect(row).toContainText("Tina Tester");
  await expect(row).toContainText("Local");
  await expect(page.getByTestId("user-changes").locator('tr[data-action="user.create"]', { hasText: tester.login })).toContainText(
    `Created ${tester.login}`,
  );

  await page.goto(`/projects/${slug}/settings`);
  const add = page.getByLabel("Local login or GitHub username");
  // GitHub is not running in this spec: the typed value and role stay, and the message says what to do.
  await add.fill("octocat-offline");
  await page.locator('form:has(input[name="login"]) select[name="role"]').selectOption("tester");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("settings-error")).toContainText('GitHub could not be reached to look up "octocat-offline"');
  await expect(page.getByTestId("settings-error")).toContainText("create a local user");
  await expect(add).toHaveValue("octocat-offline");
  await expect(page.locator('form:has(input[name="login"]) select[name="role"]')).toHaveValue("tester");

  await add.fill(tester.login);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(`${tester.login} added as tester.`);
  await expect(page.getByLabel(`Role of ${tester.login}`)).toHaveValue("tester");
  await expect(page.locator(`tr[data-login="${tester.login}"]`)).toContainText("Local");
  await expect(add).toHaveValue("");

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.locator('tr[data-action="collaborator.add"]')).toContainText(tester.login);
  const [created] = await queryControlPlane<{ actor: string }>(
    `SELECT u.login AS actor FROM "AuditEntry" a JOIN "User" u ON u.id = a."actorId" WHERE a.action = 'user.create' AND a.target = $1`,
    [tester.login],
  );
  expect(created?.actor).toBe(adminCredentials().login);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test("the local user signs in and sees what a Tester sees, and not more", async ({ page }) => {
  await signIn(page, tester.login, tester.password);
  await expect(page.getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
  await page.getByRole("link", { name: projectName }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await expect(page.getByTestId("project-settings-link")).toHaveCount(0);

  // Staging: testers see its logs.
  await page.goto(buildPage("staging"));
  await expect(page.getByRole("heading", { name: "Build #2" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Offending lines" })).toBeVisible();
  await expect(page.getByText("local staging failure")).toBeVisible();
  // Production: status and Connect only.
  await page.goto(buildPage("production"));
  await expect(page.getByRole("heading", { name: "Build #1" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Offending lines" })).toHaveCount(0);
  await expect(page.getByText("local production failure")).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^(Logs|Shell)$/ })).toHaveCount(0);

  const request = page.request;
  for (const path of ["/admin/users", `/projects/${slug}/settings`, `/projects/${slug}/audit`, `${buildPage("production")}/logs`]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
  expect((await request.get(`/api/projects/${slug}/builds/${numbers.production}/logs`)).status()).toBe(403);
  expect((await request.get(`/api/projects/${slug}/builds/${numbers.staging}/logs`)).status()).toBe(200);
});

test("an invite link sets the password once, then says it was used", async ({ page, browser, baseURL }) => {
  await signIn(page, adminCredentials().login, adminCredentials().password);
  await page.goto("/admin/users");
  const form = page.getByRole("form", { name: "New local user" });
  await form.getByLabel("Login").fill(invitee.login);
  await form.getByLabel("Generate a one-time invite link").check();
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("create-user-notice")).toContainText(`${invitee.login} created. Send them this one-time link`);
  const link = await page.getByTestId("invite-link").inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator(`tr[data-login="${invitee.login}"]`)).toContainText("Invited (until");

  const guest = await browser.newContext({ baseURL });
  const invited = await guest.newPage();
  await invited.goto(new URL(link).pathname);
  await expect(invited.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await expect(invited.getByText(invitee.login)).toBeVisible();
  await invited.getByLabel("New password").fill(invitee.password);
  await invited.getByLabel("Repeat the password").fill(invitee.password);
  await invited.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(invited).toHaveURL(/\/projects$/);
  await expect(invited.getByTestId("current-user")).toHaveText(invitee.login);

  await invited.goto(new URL(link).pathname);
  await expect(invited.getByTestId("invite-refused")).toHaveText(
    "This invite link has already been used. Sign in with your password, or ask an administrator for a new link.",
  );
  await guest.close();

  // Disabling the user ends their sign-in.
  await page.goto("/admin/users");
  await page.getByRole("button", { name: `Disable ${invitee.login}` }).click();
  await expect(page.getByTestId("users-notice")).toHaveText(`${invitee.login} disabled.`);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Login").fill(invitee.login);
  await page.getByLabel("Password").fill(invitee.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-error")).toHaveText("Wrong login or password.");
});
