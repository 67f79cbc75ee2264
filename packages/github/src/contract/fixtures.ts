// Recorded real GitHub responses from @octokit/fixtures (normalized: ids, dates and names replaced,
// shapes, statuses and headers as GitHub sent them), looked up by operation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface Recording {
  scenario: string;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | number>;
  response: unknown;
}

const root = dirname(createRequire(import.meta.url).resolve("@octokit/fixtures/package.json"));

/** Every recorded request of a scenario (scenarios/api.github.com/<name>/normalized-fixture.json). */
export function scenario(name: string): Recording[] {
  const raw = JSON.parse(readFileSync(join(root, "scenarios", "api.github.com", name, "normalized-fixture.json"), "utf8")) as Array<{
    method: string;
    path: string;
    status: number;
    headers: Record<string, string | number>;
    response: unknown;
  }>;
  return raw.map((r) => ({
    scenario: name,
    method: r.method.toUpperCase(),
    path: r.path,
    status: r.status,
    headers: r.headers,
    response: r.response,
  }));
}

/**
 * Where @octokit/fixtures recorded an operation Slipway calls: the scenario and a matcher of the
 * recorded path; `conditional`: recorded keys GitHub sends only in some cases (the double may leave them
 * out). Operations absent here have no recording: they are checked against the OpenAPI schema only.
 */
export const RECORDED: Record<string, { scenario: string; path: RegExp; status: number; conditional?: string[] }> = {
  // The recorded repository belongs to an organisation: `organization` is only sent for those.
  "GET /repos/{owner}/{repo}": {
    scenario: "get-repository",
    path: /^\/repos\/[^/]+\/[^/]+$/,
    status: 200,
    conditional: ["$.organization"],
  },
  "POST /repos/{owner}/{repo}/statuses/{sha}": { scenario: "create-status", path: /\/statuses\/[0-9a-f]{40}$/, status: 201 },
  "GET /repos/{owner}/{repo}/commits/{ref}/statuses": {
    scenario: "create-status",
    path: /\/commits\/[0-9a-f]{40}\/statuses$/,
    status: 200,
  },
  "GET /repos/{owner}/{repo}/commits/{ref}/status": { scenario: "create-status", path: /\/commits\/[0-9a-f]{40}\/status$/, status: 200 },
};

/** The recording of `operation` answered with `status`, if @octokit/fixtures has one. */
export function recordingOf(operation: string, status: number): (Recording & { conditional: string[] }) | undefined {
  const where = RECORDED[operation];
  if (!where || where.status !== status) return undefined;
  const [method] = operation.split(" ");
  const found = scenario(where.scenario).find((r) => r.method === method && where.path.test(r.path) && r.status === status);
  return found && { ...found, conditional: where.conditional ?? [] };
}
