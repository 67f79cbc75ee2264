// GitHub key and webhook (issue 17, seed "GitHub key and webhook"), in Chromium against the real web
// app and worker and the GitHub double: a GitHub project created with a token gets its deploy key
// (read-only) and its push webhook on GitHub through the worker's job; a key deleted on GitHub is
// reported and repaired by Verify Deploy Key; the private key never reaches the browser.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_GITHUB, startGithubDouble, type GithubDouble } from "./support/github-double";
import { deployKeysOf, webhooksOf } from "./support/github-double/keys-and-hooks";
import { logInAsAdmin } from "./support/journey";

const owner = `octo${randomBytes(2).toString("hex")}`;
const repo = "private-shop";
const full = `${owner}/${repo}`;
const slug = `ghk${randomBytes(3).toString("hex")}`;
let github: GithubDouble;

test.beforeAll(async () => {
  github = await startGithubDouble(E2E_GITHUB);
  github.addUser({ id: 800_000 + Math.floor(Math.random() * 99_999), login: owner });
  github.addRepo({ owner, name: repo, private: true });
});
test.afterAll(async () => {
  await github?.close();
});

const material = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(" ");

test("a GitHub project's deploy key and webhook appear on GitHub; a deleted key is reported and repaired by Verify Deploy Key", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(90_000);
  await logInAsAdmin(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill("Private shop");
  await page.getByLabel("Project slug").fill(slug);
  await page.getByLabel("Repository URL").fill(`https://github.com/${full}`);
  await page.getByLabel("Odoo version").selectOption("17.0");
  await page.getByLabel("Odoo image").fill("slipway/odoo-standin:17.0");
  await page.getByLabel(/GitHub token/).fill(github.issueToken(owner));
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));

  // The worker's github.setup-project job, through Octokit.
  await expect.poll(() => deployKeysOf(github.state, full).length, { timeout: 45_000 }).toBe(1);
  await expect.poll(() => webhooksOf(github.state, full).length, { timeout: 15_000 }).toBe(1);
  const [key] = deployKeysOf(github.state, full);
  expect(key).toMatchObject({ read_only: true, title: `Slipway (${slug})` });
  const [hook] = webhooksOf(github.state, full);
  expect(hook).toMatchObject({ active: true, events: ["push"], config: { url: `${baseURL}/api/webhooks/github`, content_type: "json" } });

  await page.goto(`/projects/${slug}/settings`);
  const card = page.getByTestId("github-key-and-webhook");
  await expect(card.getByTestId("deploy-key-status")).toHaveText("On GitHub");
  await expect(card.getByTestId("webhook-status")).toHaveText("On GitHub");
  expect(material((await card.getByTestId("deploy-key-public").textContent())!)).toBe(key!.key);
  await expect(card.getByTestId("webhook-payload-url")).toHaveText(`${baseURL}/api/webhooks/github`);
  // The secret GitHub signs with is the project's, revealed to its admin on demand.
  await expect(card.getByTestId("webhook-secret-value")).toBeHidden();
  await card.getByText("Reveal the secret").click();
  await expect(card.getByTestId("webhook-secret-value")).toHaveText(hook!.config.secret!);

  // Someone deletes the key on GitHub: Verify Deploy Key finds it missing and adds it again.
  deployKeysOf(github.state, full).splice(0);
  await card.getByRole("button", { name: "Verify Deploy Key" }).click();
  await expect(page.getByTestId("settings-notice")).toContainText(`Deploy key added: The deploy key was added to ${full} (read-only).`);
  expect(deployKeysOf(github.state, full)).toMatchObject([{ key: key!.key, read_only: true }]);
  await card.getByRole("button", { name: "Verify Webhook" }).click();
  await expect(page.getByTestId("settings-notice")).toContainText("Webhook verified");
  expect(await page.content()).not.toContain("PRIVATE KEY");

  // The audit log names both checks.
  await page.goto(`/projects/${slug}/audit`);
  await expect(page.locator(`tr[data-action="github.deploy-key.verify"]`).first()).toBeVisible();
});
