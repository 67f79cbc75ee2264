import { createHash } from "node:crypto";
import { decryptSecret } from "@slipway/config";
import { findProjectBySlug, findProjectsForGithubRepo, queuedByPush, recordPush, type Db, type ProjectRecord } from "@slipway/db";
import { isDomainError, startBuild } from "@slipway/domain";
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
  prisma: Db;
  encryptionKey: Buffer;
  /**
   * The repository's branch heads now (`git ls-remote` through @slipway/git, the URL vetted like
   * every fetch): consulted only for a push whose `before` is not the recorded head.
   */
  remoteHeads: (repoUrl: string) => Promise<Map<string, string>>;
  /** Where replays and forced pushes are reported (default: the console). */
  log?: (message: string) => void;
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
 * acknowledged (202) and ignored; a delivery id or a body seen before changes nothing.
 *
 * A branch never moves backwards on a replay (issue 12, H3): a push applies when its `before` is
 * the recorded head (or it creates a branch Slipway does not know). Otherwise it is a replayed
 * old push or a forced push: it applies only if its revision is the repository's current tip of
 * the branch (its absence for a deletion), checked with `git ls-remote`, and is logged either way.
 */
export async function handleWebhook(deps: WebhookDeps, req: WebhookRequest): Promise<WebhookResponse> {
  let candidates: ProjectRecord[];
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
  const project = candidates.find((p) =>
    verifySignature({ secret: decryptSecret(p.webhookSecretEnc, deps.encryptionKey), body: req.body, signature: req.signature }),
  );
  // The same answer for "no such project" and "wrong signature": nothing to learn by probing.
  if (!project) return reply(401, { error: "The signature does not match any project's webhook secret." });

  let event: WebhookEvent;
  try {
    event =
      req.source === "github"
        ? parseGithubEvent({ event: req.event, body: req.body })
        : req.event && req.event !== "push"
          ? { kind: "ignored", reason: `event "${req.event}" is not used by Slipway` }
          : parsePush(req.body);
  } catch (e) {
    if (isDomainError(e, "invalid_input")) return reply(400, { error: e.message });
    throw e;
  }
  if (event.kind === "ping") return reply(200, { ok: true, project: project.slug });
  if (event.kind === "ignored") return reply(202, { ignored: event.reason });

  const delivery = req.deliveryId ?? (req.source === "generic" ? `sha256-${createHash("sha256").update(req.body).digest("hex")}` : null);
  if (!delivery) return reply(400, { error: "The X-GitHub-Delivery header is missing." });
  if (delivery.length > 200) return reply(400, { error: "The delivery id is too long." });

  const push = {
    projectId: project.id,
    branch: event.branch,
    revision: event.revision,
    message: event.message,
    author: event.author,
    deliveryId: `${req.source}:${delivery}`,
    payloadKey: `${req.source}:payload:${project.id}:${createHash("sha256").update(req.body).digest("hex")}`,
    event: "push",
  };
  // A push that queues a build has its run enqueued right after its commit (startBuild). The row
  // is written first; if Redis is down then, the worker's reconciliation enqueues queued builds.
  const enqueueRun = (buildId: string) => deps.enqueueBuild(buildId).catch(() => undefined);
  const record = (expectedHead: string | null) =>
    startBuild(enqueueRun, () => recordPush(deps.prisma, { ...push, expectedHead }), queuedByPush);
  // "" never matches a recorded head: a push that does not say where it started is verified.
  let outcome = await record(event.created ? null : (event.before ?? ""));
  if (outcome.kind === "stale" && outcome.recordedHead === event.revision) {
    // Already the recorded head (the poller saw it first): nothing moves, so no question to ask.
    outcome = await record(outcome.recordedHead);
  }
  if (outcome.kind === "stale") {
    const log = deps.log ?? ((message: string) => console.warn(message));
    const what = `push to ${project.slug}/${event.branch} (${event.before?.slice(0, 8) ?? "?"} → ${event.revision?.slice(0, 8) ?? "deleted"}, recorded head ${outcome.recordedHead?.slice(0, 8) ?? "none"}, delivery ${delivery})`;
    let tip: string | undefined;
    try {
      tip = (await deps.remoteHeads(project.repoUrl)).get(event.branch);
    } catch (e) {
      log(
        `Slipway web: refused a ${what}: it does not start from the recorded head and the repository's tip could not be read (${(e as Error).message}).`,
      );
      return reply(409, {
        error:
          "The push does not start from the branch's recorded head and the repository could not be asked for its current tip; nothing was changed.",
      });
    }
    if ((tip ?? null) !== event.revision) {
      log(`Slipway web: refused a stale or replayed ${what}: the repository's tip is ${tip?.slice(0, 8) ?? "absent"}.`);
      return reply(409, {
        error: "The push is not the branch's current state in the repository (a replayed or out-of-date delivery); nothing was changed.",
      });
    }
    log(`Slipway web: forced ${what}, verified against the repository's tip.`);
    // Conditional on the head just seen: a push recorded meanwhile wins, and this one is refused.
    outcome = await record(outcome.recordedHead);
    if (outcome.kind === "stale") return reply(409, { error: "The branch moved while the push was being verified; nothing was changed." });
  }
  if (outcome.kind === "duplicate") return reply(200, { duplicate: true });
  await deps.notifyProject?.(project.id).catch(() => undefined);
  if (outcome.kind === "archived") return reply(202, { archived: event.branch });
  return reply(202, {
    branch: event.branch,
    buildId: outcome.build?.id ?? null,
    buildNumber: outcome.build?.number ?? null,
    detail: outcome.reason,
  });
}
