// What the worker leaves on the machine for a project, seen from outside the platform: its builds
// (control-plane rows), its containers (Docker labels), its databases (the managed PostgreSQL
// server's catalogue) and its Caddy routes (the admin API's config) — for journeys that check
// the worker did (or undid) the real thing. Needs the docker CLI and the worker's services.
import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";
import { queryControlPlane } from "./env";

export interface BuildRow {
  id: string;
  number: number;
  branch: string;
  stage: string;
  state: string;
  result: string | null;
  revision: string;
  databaseName: string | null;
}

/** Every build of the project, oldest first. */
export function buildsOf(slug: string): Promise<BuildRow[]> {
  return queryControlPlane<BuildRow>(
    `SELECT b.id, b.number, br.name AS branch, b.stage::text AS stage, b.state::text AS state, b.result::text AS result,
            b.revision, b."databaseName"
     FROM "Build" b JOIN "Branch" br ON br.id = b."branchId" JOIN "Project" p ON p.id = b."projectId"
     WHERE p.slug = $1 ORDER BY b.number`,
    [slug],
  );
}

/**
 * Waits for a build of `branch` matching `where` to be running and green; fails at once, with the
 * build's state, when such a build ends otherwise (no point waiting out the timeout).
 */
export async function waitForGreenBuild(
  slug: string,
  branch: string,
  where: (b: BuildRow) => boolean = () => true,
  timeout = 240_000,
): Promise<BuildRow> {
  let found: BuildRow | undefined;
  await expect
    .poll(
      async () => {
        const candidates = (await buildsOf(slug)).filter((b) => b.branch === branch && where(b));
        found = candidates.at(-1);
        if (!found) return "none yet";
        if (found.state === "running" && found.result === "green") return "green";
        if (["failed", "cancelled", "stopped"].includes(found.state) || found.result === "red")
          throw new Error(`build #${found.number} of ${branch} ended ${found.state}/${found.result ?? "-"}`);
        return `#${found.number} ${found.state}`;
      },
      { timeout, intervals: [2_000] },
    )
    .toBe("green");
  return found!;
}

/** Names of the Docker containers (running or not) carrying `org.slipway.<key>=<value>`. */
export function containersLabelled(key: "project" | "build", value: string): string[] {
  const out = execFileSync("docker", ["ps", "-a", "--filter", `label=org.slipway.${key}=${value}`, "--format", "{{.Names}}"], {
    encoding: "utf8",
  });
  return out.split("\n").filter(Boolean);
}

/** The databases of the managed PostgreSQL server builds use (its superuser, inside its container). */
export function buildDatabases(): string[] {
  const out = execFileSync(
    "docker",
    ["exec", "slipway-postgres", "psql", "-U", "postgres", "-d", "postgres", "-Atc", "SELECT datname FROM pg_database"],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean);
}

/** Caddy's whole running configuration, as text (routes carry their build id and hostnames). */
export async function caddyConfig(page: Page): Promise<string> {
  const admin = process.env.SLIPWAY_CADDY_ADMIN_URL || "http://127.0.0.1:20190";
  const response = await page.request.get(`${admin}/config/`);
  expect(response.status()).toBe(200);
  return response.text();
}

/** Signs in with a local account's login and password; lands on the projects list. */
export async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId("current-user")).toHaveText(login);
}
