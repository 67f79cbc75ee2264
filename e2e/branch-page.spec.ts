// The branch page (Odoo.sh's unit of work): a card on the Branches board leads to it; it shows the
// project's branches by stage, the branch's tabs and its shell commands. Each role sees the tabs
// the role matrix gives it on the branch's stage, and a tab it lacks answers 404. Builds are rows
// written the way the worker writes them; the Tester and Developer are local accounts.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { encryptSecret } from "../packages/config/src/secrets";
import { hashPassword } from "../apps/web/src/server/auth/password";
import { adminCredentials, queryControlPlane } from "./support/env";

// Each test loads a dozen pages; the default 30 s is short on a shared, busy machine.
test.describe.configure({ mode: "serial", timeout: 90_000 });

const suffix = randomBytes(3).toString("hex");
const slug = `e2e-branch-page-${suffix}`;
const password = `pw-${randomBytes(8).toString("hex")}`;
const tester = `tess-${suffix}`;
const developer = `dev-${suffix}`;
// A development branch with a "/" in its name: the page's URL carries it encoded.
const branches = [
  { name: "main", stage: "production", number: 1 },
  { name: "staging-line", stage: "staging", number: 2 },
  { name: "feature/login", stage: "development", number: 3 },
] as const;
const buildIds: Record<string, string> = {};
let mailDir = "";
const branchUrl = (name: string, tab = "") => `/projects/${slug}/branches/${encodeURIComponent(name)}${tab ? `/${tab}` : ""}`;

test.beforeAll(async () => {
  const [admin] = await queryControlPlane<{ id: string }>('SELECT id FROM "User" WHERE login = $1', [adminCredentials().login]);
  if (!admin) throw new Error("the local admin account does not exist yet");
  const projectId = randomUUID();
  await queryControlPlane(
    // Builds 1 to 3 are written below: the platform numbers the next one 4.
    `INSERT INTO "Project" (id, slug, name, "repoUrl", "odooVersion", "odooImage", "baseDomain", "webhookSecretEnc", "nextBuildNumber", "updatedAt")
     VALUES ($1, $2, 'Branch page shop', '/srv/git/branch-page.git', '17.0', 'odoo:17.0', 'slipway.localhost', $3, 4, now())`,
    [projectId, slug, encryptSecret("e2e-webhook-secret", Buffer.from(process.env.SLIPWAY_ENCRYPTION_KEY ?? "", "base64"))],
  );
  // Cheap scrypt parameters: they travel with the hash, the login verifies with them.
  const passwordHash = await hashPassword({ password, params: { N: 2 ** 14, r: 8, p: 1 } });
  const members: [string, "admin" | "tester" | "developer"][] = [[admin.id, "admin"]];
  for (const [login, role] of [
    [tester, "tester"],
    [developer, "developer"],
  ] as const) {
    const id = randomUUID();
    await queryControlPlane(`INSERT INTO "User" (id, login, "passwordHash", "updatedAt") VALUES ($1, $2, $3, now())`, [
      id,
      login,
      passwordHash,
    ]);
    members.push([id, role]);
  }
  for (const [userId, role] of members) {
    await queryControlPlane(
      `INSERT INTO "Collaborator" (id, "projectId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3::"Role", now())`,
      [projectId, userId, role],
    );
  }
  // A branch without a build, moved by drag and drop in the last test.
  await queryControlPlane(
    `INSERT INTO "Branch" (id, "projectId", name, stage, "headRevision", "updatedAt") VALUES (gen_random_uuid(), $1, 'feature/drag', 'development', $2, now())`,
    [projectId, "d".repeat(40)],
  );
  for (const b of branches) {
    const branchId = randomUUID();
    const buildId = randomUUID();
    buildIds[b.name] = buildId;
    await queryControlPlane(
      `INSERT INTO "Branch" (id, "projectId", name, stage, "productionSlot", "headRevision", "testTags", "updatedAt")
       VALUES ($1, $2, $3, $4::"Stage", $5, $6, $7, now())`,
      [
        branchId,
        projectId,
        b.name,
        b.stage,
        b.stage === "production" ? true : null,
        "c".repeat(40),
        b.stage === "development" ? "/shop" : null,
      ],
    );
    await queryControlPlane(
      `INSERT INTO "Build" (id, "projectId", "branchId", number, stage, revision, "commitMessage", "commitAuthor", state, result, hostname, "databaseName", "updatedAt")
       VALUES ($1, $2, $3, $4, $5::"Stage", $6, $7, 'Ada', 'running', 'green', $8, $9, now())`,
      [
        buildId,
        projectId,
        branchId,
        b.number,
        b.stage,
        "c".repeat(40),
        `Shop: ${b.stage} work`,
        `${slug}-${b.number}.slipway.localhost`,
        `${slug}_${b.number}`.replaceAll("-", "_"),
      ],
    );
  }
  // A message the development build sent, caught by the mail catcher (file and row as it writes them).
  const mailId = randomUUID();
  mailDir = path.join(process.env.SLIPWAY_HOME || path.resolve(".slipway"), "mails", buildIds["feature/login"]!);
  const file = path.join(mailDir, `${mailId}.eml`);
  mkdirSync(mailDir, { recursive: true });
  const raw = [
    "From: odoo@example.com",
    "To: customer@example.com",
    "Subject: Welcome aboard",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "Hello in text",
    "--b",
    "Content-Type: text/html",
    "",
    "<h1>Hello in HTML</h1>",
    "--b--",
    "",
  ].join("\r\n");
  writeFileSync(file, raw);
  await queryControlPlane(
    'INSERT INTO "Mail" (id, "projectId", "buildId", "fromAddress", "toAddresses", subject, "sizeBytes", "hasAttachments", "rawPath") VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8)',
    [mailId, projectId, buildIds["feature/login"], "odoo@example.com", ["customer@example.com"], "Welcome aboard", raw.length, file],
  );
});

test.afterAll(() => {
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
});

async function signIn(page: Page, login: string, pw: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(pw);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

const tab = (page: Page, key: string) => page.getByTestId(`branch-tab-${key}`);

test("a branch card leads to the branch page: sidebar by stage, tabs, shell commands", async ({ page }) => {
  await signIn(page, adminCredentials().login, adminCredentials().password);
  await page.goto(`/projects/${slug}`);
  await page.getByTestId("branch-feature/login").getByTestId("branch-page-link").click();
  // The page opens on History; the "/" of the name travels encoded.
  await expect(page).toHaveURL(/\/branches\/feature%2Flogin$/);
  await expect(page.getByTestId("branch-name")).toHaveText("feature/login");
  await expect(page.getByTestId("branch-stage")).toHaveText(/development/i);

  const sidebar = page.getByTestId("branch-sidebar");
  for (const b of branches) await expect(sidebar.getByTestId(`sidebar-${b.stage}`).getByRole("link", { name: b.name })).toBeVisible();
  await expect(sidebar.getByRole("link", { name: "feature/login" })).toHaveAttribute("aria-current", "page");

  // Development: the seed's tabs but Backups (development is never backed up); three not built yet.
  const tabs = page.getByTestId("branch-tabs");
  await expect(tabs.locator("[data-testid^=branch-tab-]")).toHaveText([
    "History",
    /^Mails/,
    /^Shell/,
    /^Editor/,
    "Monitor",
    "Logs",
    /^Upgrade/,
    /^Tools/,
    "Settings",
  ]);
  for (const key of ["editor", "upgrade", "tools"]) {
    await expect(tab(page, key)).toHaveAttribute("aria-disabled", "true");
    await expect(tab(page, key)).toHaveAttribute("title", /not available yet/i);
  }
  await expect(tab(page, "history")).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("history-commit")).toContainText("Shop: development work");
  await expect(tab(page, "shell")).toHaveAttribute("href", `/projects/${slug}/builds/3/shell`);

  // Switching tabs.
  await tab(page, "logs").click();
  await expect(page).toHaveURL(/\/branches\/feature%2Flogin\/logs$/);
  await expect(tab(page, "logs")).toHaveAttribute("aria-current", "page");
  await expect(page.getByText("This build has no logs yet.")).toBeVisible();
  // Mails: the current build's inbox; a message opens on the branch page, its parts come from the build's routes.
  await tab(page, "mails").click();
  await page.getByTestId("mails-list").getByRole("link", { name: "Welcome aboard" }).click();
  await expect(page).toHaveURL(/\/branches\/feature%2Flogin\/mails\?mail=/);
  await expect(page.getByTestId("mail-html")).toHaveAttribute("src", new RegExp(`^/projects/${slug}/builds/3/mails/[0-9a-f-]+/html$`));
  await page.getByRole("link", { name: "Text" }).click();
  await expect(page).toHaveURL(/\/branches\/feature%2Flogin\/mails\?mail=.*view=text/);
  await expect(page.getByTestId("mail-text")).toContainText("Hello in text");
  await tab(page, "settings").click();
  await expect(page.getByTestId("branch-settings-tab")).toBeVisible();

  // Shell commands: the exact lines for this project and branch.
  const line = page.getByTestId("shell-command-line");
  await expect(line).toHaveText("git clone --recurse-submodules --branch feature/login /srv/git/branch-page.git");
  await page.getByTestId("shell-command-fork").click();
  await expect(line).toHaveText("git checkout -b feature/login-1 feature/login && git push -u origin feature/login-1");
  await page.getByTestId("shell-command-merge").click();
  await expect(line).toHaveText("git checkout staging-line && git merge feature/login && git push -u origin staging-line");
  await expect(page.getByTestId("merge-now")).toBeEnabled();
  await page.getByTestId("shell-command-ssh").click();
  await expect(line).toHaveText(new RegExp(`^ssh ${buildIds["feature/login"]}@\\S+( -p \\d+)?$`));
  await page.getByTestId("shell-command-delete").click();
  await expect(line).toHaveText("git push origin :feature/login && git branch -D feature/login");
  // Delete as an action too: the typed confirmation opens (not submitted here).
  await page.getByTestId("delete-branch").click();
  await expect(page.getByTestId("delete-branch-form")).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete this branch" })).toBeDisabled();

  await page.getByTestId("shell-command-clone").click();
  await tab(page, "history").click();
  await expect(page.getByTestId("history-commit")).toBeVisible();
  const shots = path.join(import.meta.dirname, "..", "docs", "screenshots");
  mkdirSync(shots, { recursive: true });
  await page.setViewportSize({ width: 1360, height: 820 });
  // Without the development server's badge, when the spec runs against `next dev`.
  await page.addStyleTag({ content: "nextjs-portal { display: none !important; }" });
  await page.screenshot({ path: path.join(shots, "branch-page.png") });

  // The sidebar leads to the production branch: Backups there, no Mails (production mail is really sent).
  await sidebar.getByRole("link", { name: "main" }).click();
  await expect(page).toHaveURL(/\/branches\/main$/);
  await expect(page.getByTestId("branch-stage")).toHaveText(/production/i);
  await expect(tab(page, "history")).toHaveAttribute("aria-current", "page");
  await expect(tab(page, "backups")).toBeVisible();
  await expect(tab(page, "mails")).toHaveCount(0);
  await page.getByTestId("shell-command-delete").click();
  await expect(page.getByTestId("delete-branch")).toBeDisabled();
  await expect(page.getByTestId("shell-commands")).toContainText("The production branch cannot be deleted");
  await tab(page, "backups").click();
  await expect(page).toHaveURL(/\/branches\/main\/backups$/);
  await expect(page.getByText(/The production database is backed up every day/)).toBeVisible();
});

test("a Tester sees staging's tools with Backups, but only History on production", async ({ page }) => {
  await signIn(page, tester, password);
  await page.goto(branchUrl("main"));
  await expect(page.getByTestId("history-commit")).toContainText("Shop: production work");
  for (const key of ["logs", "monitor", "backups", "settings", "mails", "shell"]) await expect(tab(page, key)).toHaveCount(0);
  for (const key of ["logs", "monitor", "backups", "settings"]) {
    const response = await page.goto(branchUrl("main", key));
    expect(response?.status(), key).toBe(404);
  }
  await page.goto(branchUrl("staging-line"));
  for (const key of ["history", "mails", "monitor", "logs", "backups", "settings"])
    await expect(tab(page, key)).toHaveAttribute("href", /./);
  await tab(page, "backups").click();
  await expect(page.getByText(/Staging databases are not backed up automatically/)).toBeVisible();
});

test("a Developer sees only History on staging and every development tool but Backups", async ({ page }) => {
  await signIn(page, developer, password);
  await page.goto(branchUrl("staging-line"));
  await expect(page.getByTestId("history-commit")).toContainText("Shop: staging work");
  await expect(page.getByTestId("branch-tabs").locator("a[data-testid^=branch-tab-]")).toHaveCount(1);
  // The merge command is there to copy, but merging staging is for testers and admins; deleting for admins.
  await page.getByTestId("shell-command-merge").click();
  await expect(page.getByTestId("shell-command-line")).toHaveText(/^git checkout \S+ && git merge staging-line && git push -u origin \S+$/);
  await expect(page.getByTestId("merge-now")).toHaveCount(0);
  // SSH is the web shell's cell: none for a Developer on staging.
  await page.getByTestId("shell-command-ssh").click();
  await expect(page.getByTestId("shell-command-line")).toHaveText("Your role has no shell on staging builds.");
  await expect(page.getByTestId("shell-command-copy")).toBeDisabled();
  await page.getByTestId("shell-command-delete").click();
  await expect(page.getByTestId("delete-branch")).toBeDisabled();
  expect((await page.goto(branchUrl("staging-line", "logs")))?.status()).toBe(404);
  expect((await page.goto(branchUrl("staging-line", "backups")))?.status()).toBe(404);
  await page.goto(branchUrl("feature/login"));
  for (const key of ["history", "mails", "shell", "monitor", "logs", "settings"]) await expect(tab(page, key)).toHaveAttribute("href", /./);
  await expect(tab(page, "backups")).toHaveCount(0);
  expect((await page.goto(branchUrl("feature/login", "backups")))?.status()).toBe(404);
});

test("a card's name is a link, yet dragging the card by its name still moves the branch", async ({ page }) => {
  await signIn(page, adminCredentials().login, adminCredentials().password);
  await page.goto(`/projects/${slug}`);
  const development = page.getByTestId("stage-development");
  const staging = page.getByTestId("stage-staging");
  const name = development.getByTestId("branch-feature/drag").getByTestId("branch-page-link");
  await expect(name).toHaveAttribute("href", `/projects/${slug}/branches/feature%2Fdrag`);
  // Dropped on the column's heading (not on its branch: that would merge).
  await name.dragTo(staging, { targetPosition: { x: 20, y: 10 } });
  await expect(page.getByTestId("branch-feedback")).toContainText('"feature/drag" moved to Staging');
  await expect(staging.getByTestId("branch-feature/drag")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await staging.getByTestId("branch-feature/drag").getByTestId("branch-page-link").click();
  await expect(page.getByTestId("branch-stage")).toHaveText(/staging/i);
  await expect(page.getByTestId("sidebar-staging").getByRole("link", { name: "feature/drag" })).toHaveAttribute("aria-current", "page");
});
