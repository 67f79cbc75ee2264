import { findShellBuild, findShellUser, type Db } from "@slipway/db";
import { shellTicketKey, verifyShellTicket } from "@slipway/config";
import { assertCan, DomainError, type Actor, type Stage } from "@slipway/domain";
import type { Redis } from "ioredis";

/** What an authorized shell session opens: one running build's server container. */
export interface ShellTarget {
  buildId: string;
  buildNumber: number;
  projectId: string;
  stage: Stage;
  userId: string | null;
  containerName: string;
  databaseName: string | null;
  /** Opened by a visitor of a public project (no role on it): counted against the anonymous caps. */
  anonymous: boolean;
}

const NONCE_PREFIX = "slipway:shell-ticket:";

/**
 * The gateway's own decision, independent of the web app that issued the ticket: the signature
 * and expiry (a forged or stale ticket), the nonce consumed once in Redis (a replayed ticket), then
 * the role matrix re-read from the database now (a role removed, a user disabled or a build
 * stopped since the ticket was issued). Throws DomainError("forbidden" | "not_found" |
 * "invalid_state"); on success the nonce is spent.
 */
export async function authorizeShell(options: {
  prisma: Db;
  redis: Redis;
  encryptionKey: Buffer;
  ticket: string;
  now?: number;
}): Promise<ShellTarget> {
  const { prisma, redis } = options;
  const now = options.now ?? Date.now();
  const claims = verifyShellTicket({ key: shellTicketKey(options.encryptionKey), ticket: options.ticket, now });
  // Kept a little past the expiry: a replay after that is refused as expired anyway.
  const fresh = await redis.set(`${NONCE_PREFIX}${claims.nonce}`, claims.buildId, "PX", Math.max(1_000, claims.exp - now + 5_000), "NX");
  if (fresh !== "OK") throw new DomainError("forbidden", "Shell ticket refused: already used.");

  return authorizeShellFor({ prisma, buildId: claims.buildId, userId: claims.userId });
}

/**
 * The one decision of who may open a shell in which build, whatever the way in (the web shell's
 * ticket, an SSH key): the role matrix's shell cell re-read from the database now (the user's
 * account and role on the project, the build's stage and state). `userId` null: an anonymous
 * visitor. Throws DomainError("forbidden" | "not_found" | "invalid_state").
 */
export async function authorizeShellFor(options: { prisma: Db; buildId: string; userId: string | null }): Promise<ShellTarget> {
  const { prisma, userId } = options;
  const build = await findShellBuild(prisma, options.buildId);
  if (!build) throw new DomainError("not_found", "This build does not exist.");

  let actor: Actor = { kind: "anonymous" };
  if (userId !== null) {
    const user = await findShellUser(prisma, { userId, projectId: build.projectId });
    if (!user || user.disabledAt) throw new DomainError("forbidden", "Shell refused: this account is disabled.");
    if (user.isSuperuser) actor = { kind: "superuser" };
    else if (user.role) actor = { kind: "collaborator", role: user.role };
  }
  assertCan({ actor, publicAccess: build.publicAccess, stage: build.stage, tool: "shell" });
  if (build.state !== "running" || !build.containerName)
    throw new DomainError("invalid_state", `Build #${build.number} is not running: there is no server to open a shell in.`);
  return {
    buildId: build.id,
    buildNumber: build.number,
    projectId: build.projectId,
    stage: build.stage,
    userId,
    containerName: build.containerName,
    databaseName: build.databaseName,
    anonymous: actor.kind === "anonymous",
  };
}
