// Roles in the browser: an admin adds a GitHub user as Developer from the project settings; that
// Developer signs in with GitHub (a fake GitHub speaking the OAuth and user API contract, started
// here on the port the platform is configured with) and sees no production logs or shell, and the
// same requests made directly are refused. Builds are rows written the way the worker writes them.
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { adminCredentials, queryControlPlane } from "./support/env";
import { E2E_GITHUB, startFakeGithub, type FakeGithub } from "./support/github-double";

test.describe.configure({ mode: "serial" });

const slug = `e2e-roles-${randomBytes(3).toString("hex")}`;
const developerLogin = `dana-${randomBytes(2).toString("hex")}`;
const numbers = { production: 1, staging: 2, development: 3 } as const;
let github: FakeGithub;
let projectId = "";

test.beforeAll(async () => {
  github = await startFakeGithub(E2E_GITHUB);
  github.addUser({ id: 900_000 + Math.floor(Math.random() * 99_999), login: developerLogin, name: "Dana Developer" });
  const [admin] = await queryControlPlane<{ id: string }>('SELECT id FROM "User" WHERE login = $1', [adminCredentials().login]);
  if (!admin) throw new Error("the local admin account does not exist yet");
  projectId = randomUUID();
  await queryControlPlane(
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "updatedAt")
     VALUES ($1, $2, 'Roles shop', '/srv/git/roles.git', '17.0', 'odoo:17.0', 'slipway.localhost', $3, now())`,
    [projectId, slug, encryptSecret("e2e-webhook-secret", Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64"))],
  );
  await queryControlPlane(
    `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`,
    [projectId, admin.id],
  );
  for (const [stage, number] of Object.entries(numbers)) {
    const branchId = randomUUID();
    await queryControlPlane(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "productionSlot", "headRevision", "updatedAt") VALUES ($1, $2, $3, $4::"Stage", $5, $6, now())`,
      [branchId, projectId, `${stage}-line`, stage, stage === "production" ? true : null, "b".repeat(40)],
    );
    // A red, running build: the build page shows Offending lines and Logs to whoever may see logs.
    await queryControlPlane(
      `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, state, result, "inProgressSlot", hostname, "databaseName", "offendingLines", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Stage", $5, 'running', 'red', NULL, $6, $7, $8::jsonb, now())`,
      [
        projectId,
        branchId,
        number,
        stage,
        "b".repeat(40),
        `${slug}-${stage}.slipway.localhost`,
        `${slug}_${stage}`.replaceAll("-", "_"),
        JSON.stringify([{ step: "install", level: "ERROR", line: 3, text: `secret ${stage} failure` }]),
      ],
    );
  }
});

test.afterAll(async () => {
  await github?.close();
});

async function signInAsAdmin(page: Page): Promise<void> {
  const { login, password } = adminCredentials();
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

const buildPage = (stage: keyof typeof numbers) => `/projects/${slug}/builds/${numbers[stage]}`;
const post = (request: APIRequestContext, path: string) =>
  request.post(path, { data: {}, headers: { origin: new URL(test.info().project.use.baseURL!).origin } });

test("an admin adds a GitHub user by username; they become a Developer and the change is audited", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/projects/${slug}`);
  await page.getByTestId("project-settings-link").click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await page.getByLabel("GitHub username").fill(developerLogin);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("settings-notice")).toHaveText(`${developerLogin} added as developer.`);
  await expect(page.getByLabel(`Role of ${developerLogin}`)).toHaveValue("developer");

  // The last admin cannot be demoted.
  await page.getByLabel(`Role of ${adminCredentials().login}`).selectOption("tester");
  await page.locator(`tr[data-login="${adminCredentials().login}"]`).getByRole("button", { name: "Change" }).click();
  await expect(page.getByTestId("settings-error")).toContainText("last admin");

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.locator('tr[data-action="collaborator.add"]')).toContainText(developerLogin);
});

test("the Developer signs in with GitHub and sees no production logs or shell", async ({ page }) => {
  github.signInAs(developerLogin);
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId("current-user")).toHaveText(developerLogin);
  await page.getByRole("link", { name: "Roles shop" }).click();
  await expect(page.getByTestId("project-settings-link")).toHaveCount(0);

  await page.goto(buildPage("production"));
  await expect(page.getByRole("heading", { name: "Build #1" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Logs" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Offending lines" })).toHaveCount(0);
  await expect(page.getByText("secret production failure")).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^(Logs|Shell)$/ })).toHaveCount(0);
  // Connect stays available on production for every role (docs/product/roles-and-access.md), but a Developer lands on
  // Odoo's login page: no automatic login, no Connect as (seed Collaborators).
  await expect(page.getByRole("button", { name: "Connect", exact: true })).toBeVisible();
  await expect(page.getByTestId("connect-login-page")).toBeVisible();
  await expect(page.getByRole("button", { name: "Connect as" })).toHaveCount(0);

  // Staging: also hidden from developers. Development: their own playground.
  await page.goto(buildPage("staging"));
  await expect(page.getByRole("heading", { name: "Logs" })).toHaveCount(0);
  await page.goto(buildPage("development"));
  await expect(page.getByRole("heading", { name: "Offending lines" })).toBeVisible();
  await expect(page.getByText("secret development failure")).toBeVisible();
});

test("the same requests made directly by the Developer are refused", async ({ page }) => {
  github.signInAs(developerLogin);
  await page.goto("/api/auth/github");
  await expect(page).toHaveURL(/\/projects$/);
  const request = page.request;

  for (const path of [
    `${buildPage("production")}/logs`,
    `${buildPage("production")}/shell`,
    `/projects/${slug}/settings`,
    `/projects/${slug}/audit`,
  ]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
  expect((await request.get(`/api/projects/${slug}/builds/${numbers.production}/logs`)).status()).toBe(403);
  expect((await post(request, `/api/projects/${slug}/builds/${numbers.production}/shell-ticket`)).status()).toBe(403);
  const rebuild = await post(request, `/api/projects/${slug}/builds/${numbers.production}/rebuild`);
  expect(rebuild.status()).toBe(403);
  expect((await rebuild.json()).error.message).toBe("Your role (developer) does not give access to Settings on production builds.");
  expect((await post(request, `/api/projects/${slug}/builds/${numbers.staging}/cancel`)).status()).toBe(403);

  // Allowed cells answer: development logs; Connect on production opens the Odoo login page only
  // (no token), while on development it is a signed login to post (the token never in the URL).
  expect((await request.get(`/api/projects/${slug}/builds/${numbers.development}/logs`)).status()).toBe(200);
  const connect = await post(request, `/api/projects/${slug}/builds/${numbers.production}/connect`);
  expect(connect.status()).toBe(200);
  expect(await connect.json()).toEqual({ url: expect.stringMatching(/\/web\/login$/), method: "GET" });
  const development = await (await post(request, `/api/projects/${slug}/builds/${numbers.development}/connect`)).json();
  expect(development).toMatchObject({
    method: "POST",
    url: expect.stringMatching(/\/slipway\/connect$/),
    fields: { token: expect.any(String) },
  });
});

test("visitors: a private project sends them to sign in; a public one shows development logs only", async ({ browser, baseURL }) => {
  const visitor = await browser.newContext({ baseURL });
  const page = await visitor.newPage();
  await page.goto(buildPage("development"));
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.request.get(`/api/projects/${slug}/builds/${numbers.development}/logs`)).status()).toBe(401);

  await queryControlPlane('UPDATE "Project" SET "publicAccess" = true WHERE id = $1', [projectId]);
  await page.goto(buildPage("development"));
  await expect(page.getByText("secret development failure")).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto(buildPage("production"));
  await expect(page.getByRole("heading", { name: "Build #1" })).toBeVisible();
  await expect(page.getByText("secret production failure")).toHaveCount(0);
  expect((await page.request.get(`/api/projects/${slug}/builds/${numbers.production}/logs`)).status()).toBe(403);
  expect((await page.request.get(`/projects/${slug}/settings`)).status()).toBe(404);
  await visitor.close();
});
