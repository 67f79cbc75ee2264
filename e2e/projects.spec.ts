import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { adminCredentials, queryControlPlane } from "./support/env";

// A bare repository on this machine (it may stay empty: the project links it, pushes come later).
const folder = mkdtempSync(path.join(tmpdir(), "slipway-e2e-projects-"));
const repoPath = path.join(folder, "shop.git");
execFileSync("git", ["init", "--quiet", "--bare", repoPath]);
test.afterAll(() => rmSync(folder, { recursive: true, force: true }));

// The second test reuses the project the first one creates.
test.describe.configure({ mode: "serial" });

// Unique per run, so the spec also passes against a database that already has projects.
const slug = `e2e-shop-${randomBytes(3).toString("hex")}`;

async function signIn(page: Page): Promise<void> {
  const { login, password } = adminCredentials();
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

const projectsNamed = async (s: string) =>
  Number((await queryControlPlane<{ n: string }>('SELECT count(*)::text AS n FROM "Project" WHERE slug = $1', [s]))[0]?.n ?? 0);

test("the admin creates a project from a local bare repository, after fixing a bad slug and URL", async ({ page, baseURL }) => {
  await signIn(page);
  await page.getByRole("link", { name: "New project" }).click();
  await expect(page.getByRole("heading", { name: "New project", level: 1 })).toBeVisible();

  // The slug follows the name until edited; the defaults come from the configuration.
  await page.getByLabel("Name").fill("E2E Shop");
  await expect(page.getByLabel("Project slug")).toHaveValue("e2e-shop");
  await expect(page.getByLabel("Odoo version")).toHaveValue("18.0");
  await expect(page.getByLabel("Odoo image")).toHaveValue(/18\.0/);
  await page.getByLabel("Odoo version").selectOption("17.0");
  await expect(page.getByLabel("Odoo image")).toHaveValue(/17\.0/);

  await page.getByLabel("Project slug").fill("Bad_Slug");
  await page.getByLabel("Repository URL").fill("not a repository");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("slug-error")).toHaveText("The project name must be lowercase.");
  await expect(page.getByTestId("repoUrl-error")).toContainText("is not a valid repository URL");
  await expect(page.getByRole("alert").filter({ hasText: "The project was not created" })).toBeVisible();
  await expect(page.getByLabel("Project slug")).toHaveAttribute("aria-invalid", "true");
  // Nothing written, the form keeps what was typed.
  await expect(page).toHaveURL(/\/projects\/new$/);
  await expect(page.getByLabel("Name")).toHaveValue("E2E Shop");
  await expect(page.getByLabel("Repository URL")).toHaveValue("not a repository");
  await expect(page.getByLabel("Odoo version")).toHaveValue("17.0");
  expect(await projectsNamed("Bad_Slug")).toBe(0);

  // Repositories on the metadata address, or outside the local repositories folder, are refused next to the field.
  await page.getByLabel("Project slug").fill(slug);
  await page.getByLabel("Repository URL").fill("http://169.254.169.254/latest/meta-data");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("repoUrl-error")).toContainText("loopback, link-local, private or reserved address");
  await page.getByLabel("Repository URL").fill("/root");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("repoUrl-error")).toContainText("Local repositories must be inside");
  expect(await projectsNamed(slug)).toBe(0);

  await page.getByLabel("Project slug").fill(slug);
  await page.getByLabel("Repository URL").fill(repoPath);
  await page.getByRole("button", { name: "Create project" }).click();

  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await expect(page.getByRole("heading", { name: "E2E Shop", level: 1 })).toBeVisible();
  await expect(page.getByText(repoPath)).toBeVisible();
  // The webhook setup, for admins, open while the project has no branch: both endpoints and the secret.
  const setup = page.getByTestId("webhook-setup");
  await expect(setup.getByTestId("webhook-secret")).toBeVisible();
  await expect(setup.getByTestId("webhook-github-url")).toHaveText(`${baseURL}/api/webhooks/github`);
  await expect(setup.getByTestId("webhook-generic-url")).toHaveText(`${baseURL}/api/webhooks/git/${slug}`);
  await expect(setup.getByTestId("webhook-secret")).toHaveText(/^[0-9a-f]{64}$/);
  // Branches view: the three stages (the repository is empty, so no branch yet).
  for (const stage of ["Production", "Staging", "Development"])
    await expect(page.getByRole("heading", { name: new RegExp(`^${stage}`) })).toBeVisible();
  await page.getByRole("link", { name: "Builds" }).click();
  await expect(page).toHaveURL(/tab=builds/);
  await expect(page.getByText("No branches yet.")).toBeVisible();

  const [row] = await queryControlPlane<{ repoUrl: string; odooVersion: string; odooImage: string; role: string; login: string }>(
    `SELECT p."repoUrl", p."odooVersion", p."odooImage", c.role::text AS role, u.login
       FROM "Project" p JOIN "Collaborator" c ON c."projectId" = p.id JOIN "User" u ON u.id = c."userId" WHERE p.slug = $1`,
    [slug],
  );
  expect(row).toMatchObject({
    repoUrl: repoPath,
    odooVersion: "17.0",
    odooImage: expect.stringContaining("17.0"),
    role: "admin",
    login: adminCredentials().login,
  });

  // The project is listed.
  await page.getByRole("link", { name: "← Projects" }).click();
  await expect(page.getByRole("link", { name: /E2E Shop/ })).toBeVisible();
});

test("a second project with the same slug is refused with a clear message", async ({ page }) => {
  await signIn(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill("Another shop");
  await page.getByLabel("Project slug").fill(slug);
  await page.getByLabel("Repository URL").fill(repoPath);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("slug-error")).toHaveText(`A project named "${slug}" already exists. Choose another name.`);
  await expect(page).toHaveURL(/\/projects\/new$/);
  expect(await projectsNamed(slug)).toBe(1);
});

test("an unknown project answers 404, page and event stream", async ({ page }) => {
  await signIn(page);
  const response = await page.goto("/projects/no-such-project");
  expect(response?.status()).toBe(404);
  const events = await page.request.get("/api/projects/no-such-project/events");
  expect(events.status()).toBe(404);
});
