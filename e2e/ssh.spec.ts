// SSH into a development build with a key added on the profile (issue 14, seed "SSH"), in
// Chromium against the whole platform: the worker's SSH server answers the command the Shell tab
// shows, and the command runs inside the build's container with its database. Needs the worker
// (npm test starts web and worker; `npx playwright test` alone starts the web app only) and
// OpenSSH's client.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import ssh2 from "ssh2";
import { createFixtureRepo, type FixtureRepo } from "../apps/worker/src/testing/fixture-repo";
import { queryControlPlane } from "./support/env";
import { createProject, logInAsAdmin, pushWebhook } from "./support/journey";

test.setTimeout(240_000);

const slug = `sshj-${randomBytes(2).toString("hex")}`;
let repo: FixtureRepo;
let home: string;

test.beforeAll(() => {
  repo = createFixtureRepo();
  home = mkdtempSync(path.join(tmpdir(), "slipway-e2e-ssh-"));
});
test.afterAll(() => {
  repo?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

test("a key added on the profile opens the Shell tab's ssh command inside the development build", async ({ page }) => {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: `${slug}@e2e` });
  const keyFile = path.join(home, "id_ed25519");
  writeFileSync(keyFile, pair.private, { mode: 0o600 });

  await logInAsAdmin(page);
  const secret = await createProject(page, { name: "SSH journey", slug, repoUrl: repo.url });
  const revision = repo.push("main", ["green_addon"]);
  expect((await pushWebhook(page, { slug, secret, branch: "main", revision })).status()).toBeLessThan(300);

  let build: { number: number; databaseName: string } | undefined;
  await expect
    .poll(
      async () => {
        [build] = await queryControlPlane<{ number: number; databaseName: string }>(
          `SELECT b.number, b."databaseName" FROM "Build" b JOIN "Project" p ON p.id = b."projectId"
           WHERE p.slug = $1 AND b.state = 'running' AND b.result = 'green' ORDER BY b.number DESC LIMIT 1`,
          [slug],
        );
        return build?.number ?? null;
      },
      { timeout: 180_000 },
    )
    .not.toBeNull();

  await page.getByTestId("profile-link").click();
  await page.getByLabel("Public key").fill(pair.public);
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("profile-notice")).toContainText("added (SHA256:");

  await page.goto(`/projects/${slug}/builds/${build!.number}/shell`);
  const command = (await page.getByTestId("ssh-command").locator("code").textContent())!.trim();
  const [program, target, ...rest] = command.split(/\s+/);
  expect(program).toBe("ssh");
  expect(target).toMatch(/^[0-9a-f-]{36}@/);

  const options = ["-F", "/dev/null", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"];
  options.push("-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${path.join(home, "known_hosts")}`, "-T");
  const output = execFileSync(
    "ssh",
    [...options, ...rest, target!, 'echo "$PGDATABASE $(id -un) $(test -f /.dockerenv && echo container)"'],
    {
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: home },
    },
  );
  expect(output).toBe(`${build!.databaseName} odoo container\n`);

  const [audit] = await queryControlPlane<{ n: string }>(
    `SELECT count(*)::text AS n FROM "AuditEntry" a JOIN "Project" p ON p.id = a."projectId"
     WHERE p.slug = $1 AND a.action = 'shell.open' AND a.details->>'via' = 'ssh'`,
    [slug],
  );
  expect(Number(audit?.n)).toBe(1);
});
