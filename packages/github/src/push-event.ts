import { z } from "zod";
import { DomainError } from "@slipway/domain";

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
      author: z.object({ name: z.string().optional(), email: z.string().optional() }).partial().optional(),
    })
    .nullable()
    .optional(),
  repository: z
    .object({ full_name: z.string().optional(), clone_url: z.string().optional(), ssh_url: z.string().optional() })
    .partial()
    .optional(),
});

const pingSchema = z.object({ zen: z.string().optional(), hook_id: z.number().optional() });

export interface PushEvent {
  kind: "push";
  branch: string;
  revision: string | null;
  deleted: boolean;
  created: boolean;
  message: string | null;
  author: string | null;
  repositoryFullName: string | null;
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
  const deleted = p.deleted ?? p.after === ZERO;
  const author = p.head_commit?.author;
  return {
    kind: "push",
    branch: p.ref.slice("refs/heads/".length),
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
