#!/usr/bin/env node
// Writes packages/github/src/contract/openapi-responses.json: the response schemas (status → JSON
// schema, dereferenced, without descriptions/examples) of the GitHub REST operations Slipway calls,
// taken from GitHub's published OpenAPI description (npm @octokit/openapi, api.github.com.deref.json).
// The contract tests check the GitHub double against them where @octokit/fixtures has no recording.
//
//   node scripts/github-openapi-shapes.mjs [--spec <api.github.com.deref.json>]
//
// Without --spec the package is fetched once with `npm pack` into a temporary folder (it is ~40 MB
// packed, too big to keep in node_modules). To add an operation, add its "METHOD /path" below and re-run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OPENAPI_VERSION = "23.0.2";
export const OPERATIONS = [
  "GET /user",
  "GET /users/{username}",
  "GET /user/memberships/orgs/{org}",
  "GET /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/keys",
  "POST /repos/{owner}/{repo}/keys",
  "GET /repos/{owner}/{repo}/keys/{key_id}",
  "DELETE /repos/{owner}/{repo}/keys/{key_id}",
  "GET /repos/{owner}/{repo}/hooks",
  "POST /repos/{owner}/{repo}/hooks",
  "GET /repos/{owner}/{repo}/hooks/{hook_id}",
  "PATCH /repos/{owner}/{repo}/hooks/{hook_id}",
  "DELETE /repos/{owner}/{repo}/hooks/{hook_id}",
  "GET /repos/{owner}/{repo}/hooks/{hook_id}/config",
  "PATCH /repos/{owner}/{repo}/hooks/{hook_id}/config",
  "POST /repos/{owner}/{repo}/hooks/{hook_id}/pings",
  "POST /repos/{owner}/{repo}/hooks/{hook_id}/tests",
  "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries",
  "POST /repos/{owner}/{repo}/statuses/{sha}",
  "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
  "GET /repos/{owner}/{repo}/commits/{ref}/status",
  "POST /repos/{owner}/{repo}/merges",
  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "GET /repos/{owner}/{repo}/branches/{branch}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /app",
  "POST /app-manifests/{code}/conversions",
  "GET /repos/{owner}/{repo}/installation",
  "GET /app/installations/{installation_id}",
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /installation/repositories",
];

function specPath(argv) {
  const i = argv.indexOf("--spec");
  if (i >= 0) return { path: argv[i + 1], cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "openapi-"));
  execFileSync("npm", ["pack", `@octokit/openapi@${OPENAPI_VERSION}`, "--pack-destination", dir, "--silent"], { stdio: "inherit" });
  const tgz = execFileSync("sh", ["-c", 'ls "$1"/*.tgz', "sh", dir]).toString().trim();
  execFileSync("tar", ["-xzf", tgz, "-C", dir, "package/generated/api.github.com.deref.json"]);
  return { path: join(dir, "package/generated/api.github.com.deref.json"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const DROP = new Set(["description", "example", "examples", "title", "externalDocs", "summary", "format"]);
function slim(schema) {
  if (Array.isArray(schema)) return schema.map(slim);
  if (!schema || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROP.has(key) || key.startsWith("x-")) continue;
    out[key] = key === "properties" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, slim(v)])) : slim(value);
  }
  return out;
}

const { path, cleanup } = specPath(process.argv.slice(2));
try {
  const spec = JSON.parse(readFileSync(path, "utf8"));
  const result = { source: `@octokit/openapi@${OPENAPI_VERSION} generated/api.github.com.deref.json`, operations: {} };
  for (const op of OPERATIONS) {
    const [method, route] = op.split(" ");
    const operation = spec.paths[route]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${op} is not in GitHub's OpenAPI description`);
    const responses = {};
    for (const [status, response] of Object.entries(operation.responses)) {
      const schema = response.content?.["application/json"]?.schema ?? response.content?.["application/scim+json"]?.schema;
      responses[status] = schema ? slim(schema) : null;
    }
    result.operations[op] = { operationId: operation.operationId, responses };
  }
  const out = new URL("../packages/github/src/contract/openapi-responses.json", import.meta.url);
  writeFileSync(out, JSON.stringify(result) + "\n");
  console.log(`wrote ${Object.keys(result.operations).length} operations to ${out.pathname}`);
} finally {
  cleanup();
}
