// Contract checks of the GitHub double: a response it gave (through Octokit, as Slipway sees it) is
// compared with what real GitHub answers for the same operation — the @octokit/fixtures recording
// when there is one, always GitHub's OpenAPI description (openapi-responses.json) — for the status,
// the headers Octokit reads and the JSON shape. Usage (a *.contract.test.ts next to this file):
//   expectContract(await capture(client.rest.repos.createDeployKey({...})), "POST /repos/{owner}/{repo}/keys");
import { readFileSync } from "node:fs";
import { recordingOf } from "./fixtures";
import { recordingProblems, schemaProblems, type Schema } from "./shapes";

export interface Captured {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

/** The response of an Octokit call, or of the RequestError it threw (4xx/5xx), as the contract sees it. */
export async function capture(call: Promise<{ status: number; headers: object; data: unknown }>): Promise<Captured> {
  try {
    const res = await call;
    return { status: res.status, headers: res.headers as Captured["headers"], data: res.data };
  } catch (error) {
    const response = (error as { response?: { status: number; headers: object; data: unknown } }).response;
    if (!response) throw error;
    return { status: response.status, headers: response.headers as Captured["headers"], data: response.data };
  }
}

// Read, not imported: TypeScript would infer a type for the whole 130 kB description.
const operations = (
  JSON.parse(readFileSync(new URL("./openapi-responses.json", import.meta.url), "utf8")) as {
    operations: Record<string, { operationId: string; responses: Record<string, Schema | null> }>;
  }
).operations;

/** Headers Octokit (request, plugin-throttling, plugin-retry, pagination) reads from every API response. */
export const OCTOKIT_HEADERS = [
  "content-type",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-used",
  "x-ratelimit-resource",
  "x-github-media-type",
  "x-github-request-id",
] as const;

/** The error body GitHub sends for statuses its description does not list (401 bad credentials, 403 rate limit…). */
const BASIC_ERROR: Schema = {
  type: "object",
  properties: {
    message: { type: "string" },
    documentation_url: { type: "string" },
    status: { type: "string" },
    url: { type: "string" },
    errors: { type: "array" },
  },
  required: ["message"],
};

/** Every way `res` differs from real GitHub's answer to `operation` ("METHOD /path/{param}"). */
export function contractProblems(res: Captured, operation: string): string[] {
  const op = operations[operation];
  if (!op) return [`${operation}: not in openapi-responses.json (add it to scripts/github-openapi-shapes.mjs and re-run it)`];
  const problems: string[] = [];
  const documented = Object.prototype.hasOwnProperty.call(op.responses, String(res.status));
  const schema = documented ? op.responses[String(res.status)] : res.status >= 400 ? BASIC_ERROR : undefined;
  if (schema === undefined)
    return [`${operation}: status ${res.status} is not one GitHub documents (${Object.keys(op.responses).join(", ")})`];
  const hasBody = !(res.data === undefined || res.data === "" || res.data === null);
  if (schema === null) {
    if (hasBody) problems.push(`${operation} ${res.status}: GitHub answers no body, the double sent one`);
  } else {
    if (!/^application\/json\b/.test(String(res.headers["content-type"] ?? "")))
      problems.push(`content-type: "${String(res.headers["content-type"])}" is not application/json (Octokit would not parse the body)`);
    problems.push(...schemaProblems(res.data, schema).map((p) => `schema ${op.operationId} ${res.status}: ${p}`));
  }
  for (const name of OCTOKIT_HEADERS) {
    if (name === "content-type" && schema === null) continue;
    if (res.headers[name] === undefined) problems.push(`header ${name}: missing (real GitHub sends it on every API response)`);
  }
  for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used"])
    if (res.headers[name] !== undefined && !/^\d+$/.test(String(res.headers[name])))
      problems.push(`header ${name}: "${String(res.headers[name])}" is not a number`);
  const recording = recordingOf(operation, res.status);
  if (recording) {
    for (const name of OCTOKIT_HEADERS)
      if (recording.headers[name] !== undefined && res.headers[name] === undefined)
        problems.push(`header ${name}: in the recording (${recording.scenario}), missing`);
    const known = (path: string) => schema !== null && schemaKnows(schema, path);
    problems.push(
      ...recordingProblems(res.data, recording.response, "$", known, recording.conditional).map(
        (p) => `recording ${recording.scenario}: ${p}`,
      ),
    );
  }
  return problems;
}

/** Whether the schema lists the property at a JSON path like "$.owner.login" or "$[0].id". */
function schemaKnows(schema: Schema, path: string): boolean {
  const steps = path.replace(/^\$/, "").match(/\.[^.[]+|\[\d+\]/g) ?? [];
  let at: Schema[] = [schema];
  for (const step of steps) {
    const expand = (s: Schema): Schema[] =>
      [s, ...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])].flatMap((x) => (x === s ? [x] : expand(x)));
    const next: Schema[] = [];
    for (const s of at.flatMap(expand)) {
      if (step.startsWith("[")) {
        if (s.items) next.push(s.items);
      } else {
        const prop = s.properties?.[step.slice(1)];
        if (prop) next.push(prop);
      }
    }
    if (next.length === 0) return false;
    at = next;
  }
  return true;
}

/** Throws (listing every difference) unless `res` is what real GitHub answers to `operation`. */
export function expectContract(res: Captured, operation: string): void {
  const problems = contractProblems(res, operation);
  if (problems.length > 0)
    throw new Error(`the GitHub double differs from GitHub for ${operation} (${res.status}):\n  ${problems.join("\n  ")}`);
}

/** Whether @octokit/fixtures has a recording of `operation` (for reports: recording vs OpenAPI). */
export function hasRecording(operation: string, status: number): boolean {
  return recordingOf(operation, status) !== undefined;
}
