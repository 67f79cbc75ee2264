import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// `npm test` builds and starts the platform itself and passes its URL in E2E_BASE_URL. Without it
// (running `npx playwright test` by hand), Playwright starts the built web app on port 3100 with
// the service settings from .slipway/env (written by `npm run services:up`); `next build` first.
const root = import.meta.dirname;

function servicesEnv(): Record<string, string> {
  const file = path.join(root, ".slipway", "env");
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

// Values already in the environment win; the specs read DATABASE_URL and the admin credentials.
for (const [key, value] of Object.entries(servicesEnv())) process.env[key] ??= value;

const fallbackUrl = "http://127.0.0.1:3100";
const baseURL = process.env.E2E_BASE_URL ?? fallbackUrl;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // The specs share one database and one admin account (and count its sessions): run serially.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: "test-results",
  reporter: "list",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // Debian's Chromium (Playwright's own browser downloads are unreachable: never `playwright
    // install`), in a network namespace of its own: Docker's interface changes would drop its
    // requests (ERR_NETWORK_CHANGED; e2e/support/chromium-netns.mjs).
    launchOptions: {
      executablePath: path.join(root, "e2e", "support", "chromium-netns.mjs"),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: "npx next start -H 127.0.0.1 -p 3100",
        cwd: path.join(root, "apps", "web"),
        url: `${fallbackUrl}/api/health`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: "pipe",
        env: {
          ...(process.env as Record<string, string>),
          NEXT_TELEMETRY_DISABLED: "1",
          SLIPWAY_WEB_PORT: "3100",
          SLIPWAY_PUBLIC_URL: fallbackUrl,
          // The fake GitHub e2e/roles.spec.ts starts (e2e/support/github-double E2E_GITHUB).
          SLIPWAY_GITHUB_CLIENT_ID: "slipway-e2e-client",
          SLIPWAY_GITHUB_CLIENT_SECRET: "slipway-e2e-secret",
          SLIPWAY_GITHUB_OAUTH_URL: "http://127.0.0.1:3199",
          SLIPWAY_GITHUB_API_URL: "http://127.0.0.1:3199",
          // The specs create projects on bare repositories in temporary folders (scripts/test.mjs too).
          SLIPWAY_LOCAL_REPOS_ROOT: tmpdir(),
        },
      },
});
