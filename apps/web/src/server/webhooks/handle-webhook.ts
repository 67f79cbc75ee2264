import { createHash } from "node:crypto";
import { decryptSecret } from "@slipway/config";
import { findProjectBySlug, findProjectsForGithubRepo, recordPush, type PrismaClient, type Project } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import { parseGithubEvent, parsePush, verifySignature, type WebhookEvent } from "@slipway/github";

export interface WebhookRequest {
  /** "github": POST /api/webhooks/github; "generic": POST /api/webhooks/git/<project> (Gitea, Forgejo, scripts). */
  source: "github" | "generic";
  projectSlug?: string | null;
  event: string | null;
  deliveryId: string | null;
  signature: string | null;
  /** The raw body, exactly as received: signatures are computed over these bytes. */
  body: string;
}

export interface WebhookDeps {
  prisma: PrismaClient;
  encryptionKey: Buffer;
  enqueueBuild: (buildId: string) => Promise<void>;
  /** Tells open project pages that branches changed (best effort). */
  notifyProject?: (projectId: string) => Promise<void>;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

const reply = (status: number, body: Record<string, unknown>): WebhookResponse => ({ status, body });

function repositoryFullName(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { repository?: { full_name?: unknown } };
    return typeof parsed.repository?.full_name === "string" ? parsed.repository.full_name : null;
  } catch {
    return null;
  }
}

/**
 * Verifies and applies one webhook delivery. Order matters: nothing is written or queued unless
 * the signature matches a project's secret and the payload parses; unknown events are
 * acknowledged (202) and ignored; a delivery id seen before changes nothing.
 */
export async function handleWebhook(deps: WebhookDeps, req: WebhookRequest): Promise<WebhookResponse> {
  let candidates: Project[];
  if (req.projectSlug) {
    const project = await findProjectBySlug(deps.prisma, req.projectSlug);
    candidates = project ? [project] : [];
  } else {
    const fullName = repositoryFullName(req.body);
    if (fullName === null && req.event !== "ping") {
      try {
        JSON.parse(req.body);
      } catch {
        return reply(400, { error: "The webhook body is not valid JSON." });
      }
    }
    candidates = fullName ? await findProjectsForGithubRepo(deps.prisma, fullName) : [];
  }
  const project = candidates.find((p) => verifySignature({ secret: decryptSecret(p.webhookSecretEnc, deps.encryptionKey), body: req.body, signature: req.signature }));
  // The same answer for "no such project" and "wrong signature": nothing to learn by probing.
  if (!project) return reply(401, { error: "The signature does not match any project's webhook secret." });

  let event: WebhookEvent;
  try {
    event = req.source === "github" ? parseGithubEvent({ event: req.event, body: req.body }) : req.event && req.event !== "push" ? { kind: "ignored", reason: `event "${req.event}" is not used by Slipway` } : parsePush(req.body);
  } catch (e) {
    if (isDomainError(e, "invalid_input")) return reply(400, { error: e.message });
    throw e;
  }
  if (event.kind === "ping") return reply(200, { ok: true, project: project.slug });
  if (event.kind === "ignored") return reply(202, { ignored: event.reason });

  const delivery = req.deliveryId ?? (req.source === "generic" ? `sha256-${createHash("sha256").update(req.body).digest("hex")}` : null);
  if (!delivery) return reply(400, { error: "The X-GitHub-Delivery header is missing." });
  if (delivery.length > 200) return reply(400, { error: "The delivery id is too long." });

  const outcome = await recordPush(deps.prisma, {
    projectId: project.id,
    branch: event.branch,
    revision: event.revision,
    message: event.message,
    author: event.author,
    deliveryId: `${req.source}:${delivery}`,
    event: "push",
  });
  if (outcome.kind === "duplicate") return reply(200, { duplicate: true });
  await deps.notifyProject?.(project.id).catch(() => undefined);
  if (outcome.kind === "archived") return reply(202, { archived: event.branch });
  // The row is written; if Redis is down now, the worker's reconciliation enqueues queued builds.
  if (outcome.build) await deps.enqueueBuild(outcome.build.id).catch(() => undefined);
  return reply(202, { branch: event.branch, buildId: outcome.build?.id ?? null, buildNumber: outcome.build?.number ?? null, detail: outcome.reason });
}
