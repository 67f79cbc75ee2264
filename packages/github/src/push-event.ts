import type { components } from "@octokit/openapi-webhooks-types";
import { z } from "zod";
import { DomainError } from "@slipway/domain";

/** GitHub's push and ping webhook payloads as GitHub's webhooks OpenAPI description types them. */
export type GitHubPushPayload = components["schemas"]["webhook-push"];
export type GitHubPingPayload = components["schemas"]["webhook-ping"];

const SHA = /^[0-9a-f]{40}$/;
const ZERO = "0".repeat(40);

const pushSchema = z.object({
  ref: z.string().min(1),
  before: z.string().regex(SHA).optional(),
  after: z.string().regex(SHA),
  created: z.boolean().optional(),
  deleted: z.boolean().optional(),
  head_commit: z
    .object({
      id: z.string(),
      message: z.string().optional(),
      // GitHub sends "email": null for an author without a public address (webhooks description: string | null).
      author: z.object({ name: z.string().optional(), email: z.string().nullable().optional() }).partial().optional(),
    })
    .nullable()
    .optional(),
  repository: z
    .object({ full_name: z.string().optional(), clone_url: z.string().optional(), ssh_url: z.string().optional() })
    .partial()
    .optional(),
});

const pingSchema = z.object({ zen: z.string().optional(), hook_id: z.number().optional() });

// Compile-time contract: every payload GitHub's description allows passes these schemas' shapes
// (a field made required or given another type here would fail the build, not a real delivery).
type Accepts<Schema, Payload extends Schema> = Payload;
export type _PushSchemaAcceptsGitHub = Accepts<z.input<typeof pushSchema>, GitHubPushPayload>;
export type _PingSchemaAcceptsGitHub = Accepts<z.input<typeof pingSchema>, GitHubPingPayload>;

export interface PushEvent {
  kind: "push";
  branch: string;
  /** The branch's revision before the push, when the sender says (null when not sent or created). */
  before: string | null;
  revision: string | null;
  deleted: boolean;
  created: boolean;
  message: string | null;
  author: string | null;
  repositoryFullName: string | null;
}

export const MAX_BRANCH_NAME_LENGTH = 255;

/**
 * Why `name` is not a branch name git would accept (`git check-ref-format refs/heads/<name>`), or
 * null when it is. Also refuses names above MAX_BRANCH_NAME_LENGTH characters (Slipway's cap:
 * branch names end up in hostnames, paths and database rows).
 */
export function branchNameProblem(name: string): string | null {
  if (name === "") return "it is empty";
  if (name.length > MAX_BRANCH_NAME_LENGTH) return `it is longer than ${MAX_BRANCH_NAME_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return "it contains a control character";
  if (/[ ~^:?*[\\]/.test(name)) return "it contains a space or one of ~ ^ : ? * [ \\";
  if (name.includes("..")) return 'it contains ".."';
  if (name.includes("@{") || name === "@") return 'it is "@" or contains "@{"';
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "it has an empty path component";
  if (name.endsWith(".")) return 'it ends with "."';
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return 'a path component starts with "."';
    if (component.endsWith(".lock")) return 'a path component ends with ".lock"';
  }
  return null;
}

/** Throws invalid_input (a 400 at the edge) unless `name` is a valid branch name. */
export function assertBranchName(name: string): void {
  const problem = branchNameProblem(name);
  if (!problem) return;
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  throw new DomainError("invalid_input", `The branch name ${shown} is not valid: ${problem}.`);
}

export type WebhookEvent = PushEvent | { kind: "ping" } | { kind: "ignored"; reason: string };

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new DomainError("invalid_input", "The webhook body is not valid JSON.");
  }
}

/** A push payload (GitHub's shape; Gitea, Forgejo and GitLab send the same core fields). */
export function parsePush(body: string): PushEvent | { kind: "ignored"; reason: string } {
  const parsed = pushSchema.safeParse(parseJson(body));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new DomainError("invalid_input", `The push payload is malformed (${issues}).`);
  }
  const p = parsed.data;
  if (!p.ref.startsWith("refs/heads/")) return { kind: "ignored", reason: `${p.ref} is not a branch` };
  const branch = p.ref.slice("refs/heads/".length);
  assertBranchName(branch);
  const deleted = p.deleted ?? p.after === ZERO;
  const author = p.head_commit?.author;
  return {
    kind: "push",
    branch,
    before: p.before && p.before !== ZERO ? p.before : null,
    revision: deleted ? null : p.after,
    deleted,
    created: p.created ?? p.before === ZERO,
    message: p.head_commit?.message ?? null,
    author: author ? [author.name, author.email ? `<${author.email}>` : ""].filter(Boolean).join(" ") || null : null,
    repositoryFullName: p.repository?.full_name ?? null,
  };
}

/** Parses a GitHub webhook by its X-GitHub-Event name; unknown events are ignored, not errors. */
export function parseGithubEvent({ event, body }: { event: string | null; body: string }): WebhookEvent {
  if (!event) throw new DomainError("invalid_input", "The X-GitHub-Event header is missing.");
  if (event === "ping") {
    const ok = pingSchema.safeParse(parseJson(body));
    if (!ok.success) throw new DomainError("invalid_input", "The ping payload is malformed.");
    return { kind: "ping" };
  }
  if (event === "push") return parsePush(body);
  return { kind: "ignored", reason: `event "${event}" is not used by Slipway` };
}
