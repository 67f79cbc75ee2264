import { generateKeyPairSync } from "node:crypto";
import { expect, test } from "@playwright/test";
import { adminCredentials, queryControlPlane } from "./support/env";
import { logInAsAdmin } from "./support/journey";

/** A fresh Ed25519 public key line, as `cat ~/.ssh/id_ed25519.pub` prints it. */
function freshPublicKey(comment: string): string {
  const raw = Buffer.from(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!, "base64url");
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64")} ${comment}`;
}

test("a user adds an SSH key on their profile, sees its fingerprint, is told about a duplicate and removes it", async ({ page }) => {
  await logInAsAdmin(page);
  await page.getByTestId("profile-link").click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "SSH keys" })).toBeVisible();
  await expect(page.getByText(/ssh <build id>@/)).toBeVisible();

  const comment = `e2e-${Date.now()}@laptop`;
  const key = freshPublicKey(comment);
  await page.getByLabel("Public key").fill(key);
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("profile-notice")).toContainText(`Key "${comment}" added (SHA256:`);
  const item = page.getByTestId("ssh-key").filter({ hasText: comment });
  await expect(item).toHaveCount(1);
  const [row] = await queryControlPlane<{ fingerprint: string }>(
    'SELECT k.fingerprint FROM "SshKey" k JOIN "User" u ON u.id = k."userId" WHERE u.login = $1 AND k.title = $2',
    [adminCredentials().login, comment],
  );
  await expect(item.getByTestId("ssh-key-fingerprint")).toHaveText(row!.fingerprint);

  // The same key again: refused with a clear message, the pasted value kept in the form.
  await page.getByLabel("Public key").fill(key);
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("profile-error")).toHaveText(`This key (${row!.fingerprint}) is already on your profile.`);
  await expect(page.getByLabel("Public key")).toHaveValue(key);

  // Not a key: the parser's reason.
  await page.getByLabel("Public key").fill("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC49tL7D5Uu");
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("profile-error")).toContainText("not a valid ssh-rsa key");

  await item.getByRole("button", { name: `Remove key ${comment}` }).click();
  await expect(page.getByTestId("profile-notice")).toHaveText(`Key "${comment}" removed.`);
  await expect(page.getByTestId("ssh-key").filter({ hasText: comment })).toHaveCount(0);
});
