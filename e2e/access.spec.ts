import { expect, test } from "@playwright/test";
import { SESSION_COOKIE } from "./support/env";

test("an anonymous visitor of /projects is sent to /login", async ({ page }) => {
  const response = await page.goto("/projects");
  await expect(page).toHaveURL(/\/login$/);
  expect(response?.ok()).toBe(true);
  await expect(page.getByRole("heading", { name: "Sign in to Slipway" })).toBeVisible();
});

test("an anonymous API call gets 401 JSON, also with a forged session cookie", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const response = await anonymous.get("/api/me");
  expect(response.status()).toBe(401);
  expect(response.headers()["content-type"]).toContain("application/json");
  expect(await response.json()).toEqual({ error: { code: "unauthorized", message: "Sign in first." } });

  const forged = await anonymous.get("/api/me", { headers: { cookie: `${SESSION_COOKIE}=${"A".repeat(43)}` } });
  expect(forged.status()).toBe(401);
  await anonymous.dispose();
});
