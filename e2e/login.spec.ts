import { expect, test } from "@playwright/test";
import { SESSION_COOKIE, adminCredentials, queryControlPlane, sessionCount } from "./support/env";

test("the admin signs in, sees the empty projects page and logs out", async ({ page, context }) => {
  const { login, password } = adminCredentials();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  // Other specs may have created projects already (the suite shares one database).
  const [countRow] = await queryControlPlane<{ n: string }>('SELECT count(*)::text AS n FROM "Project"');
  const n = countRow?.n ?? "0";
  if (Number(n) === 0) await expect(page.getByRole("heading", { name: "No projects yet" })).toBeVisible();
  else await expect(page.getByRole("heading", { name: "No projects yet" })).toHaveCount(0);
  await expect(page.getByTestId("current-user")).toHaveText(login);

  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  // The API sees the same session.
  const me = await page.request.get("/api/me");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ login, isSuperuser: true });

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();

  // The session is revoked on the server, not only forgotten by the browser.
  const [row] = await queryControlPlane<{ revoked: boolean }>(
    'SELECT s."revokedAt" IS NOT NULL AS revoked FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE u.login = $1 ORDER BY s."createdAt" DESC LIMIT 1',
    [login],
  );
  expect(row?.revoked).toBe(true);
  await context.addCookies([{ ...cookie!, expires: -1 }]);
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password shows an error, stays on /login and creates no session", async ({ page, context }) => {
  const { login } = adminCredentials();
  const before = await sessionCount();

  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill("definitely-not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();

  // (Next's route announcer is an empty role=alert element too.)
  await expect(page.getByRole("alert").filter({ hasText: "Wrong login or password." })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  // The login is kept, the password is not.
  await expect(page.getByLabel("Login")).toHaveValue(login);
  await expect(page.getByLabel("Password")).toHaveValue("");

  expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/login$/);
  expect(await sessionCount()).toBe(before);
});
