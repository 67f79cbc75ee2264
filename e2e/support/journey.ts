// Steps most journeys share: sign in as the admin, create a project on a local repository through
// the UI (returning its webhook secret), and push revisions through the signed generic webhook.
import { createHmac, randomBytes } from "node:crypto";
import { expect, type APIResponse, type Page } from "@playwright/test";
import { adminCredentials } from "./env";

export async function logInAsAdmin(page: Page): Promise<void> {
  const { login, password } = adminCredentials();
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

/** Creates a project running the stand-in image; returns the webhook secret shown to its admin. */
export async function createProject(page: Page, p: { name: string; slug: string; repoUrl: string; version?: string }): Promise<string> {
  const version = p.version ?? "17.0";
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill(p.name);
  await page.getByLabel("Project slug").fill(p.slug);
  await page.getByLabel("Repository URL").fill(p.repoUrl);
  // The stand-in's databases say their version: keep the project's version and image in line.
  await page.getByLabel("Odoo version").selectOption(version);
  await page.getByLabel("Odoo image").fill(`slipway/odoo-standin:${version}`);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${p.slug}$`));
  return (await page.getByTestId("webhook-secret").textContent())!.trim();
}

/** A push delivered to the project's generic webhook, signed with `signWith` (default: its secret). */
export function pushWebhook(
  page: Page,
  p: { slug: string; secret: string; branch: string; revision: string; message?: string; delivery?: string; signWith?: string },
): Promise<APIResponse> {
  const body = JSON.stringify({
    ref: `refs/heads/${p.branch}`,
    before: "0".repeat(40),
    after: p.revision,
    head_commit: { id: p.revision, message: p.message ?? `push ${p.branch}` },
  });
  const signature = `sha256=${createHmac("sha256", p.signWith ?? p.secret)
    .update(body)
    .digest("hex")}`;
  return page.request.post(`/api/webhooks/git/${p.slug}`, {
    data: body,
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": signature,
      "x-slipway-delivery": p.delivery ?? randomBytes(8).toString("hex"),
    },
  });
}
