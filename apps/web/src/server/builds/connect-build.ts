import { randomBytes } from "node:crypto";
import { findProjectBuild, type PrismaClient } from "@slipway/db";
import { connectSecretFor, DomainError, signConnectToken } from "@slipway/domain";
import { authorizeTool, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { buildUrl } from "./build-url";

export interface ConnectDeps {
  prisma: PrismaClient;
  encryptionKey: Buffer;
  proxyPort: number;
  now?: () => number;
}

const TOKEN_LIFETIME_S = 60;

/**
 * The URL that opens a running build's Odoo logged in as `login`: a token signed with the build's
 * own secret, checked by the platform addon at /slipway/connect (valid 60 s, single-use nonce).
 */
export async function connectUrl(deps: ConnectDeps, options: { access: ProjectAccess; buildId: string; login: string }): Promise<string> {
  const { access, buildId } = options;
  const login = options.login.trim() || "admin";
  const build = await findProjectBuild(deps.prisma, { projectId: access.project.id, buildId });
  if (!build) throw new DomainError("not_found", "This build does not exist.");
  authorizeTool({ access, stage: build.stage, tool: "connect" });
  if (build.state !== "running" || !build.hostname || !build.databaseName) {
    throw new DomainError("invalid_state", `Build #${build.number} is not running; only a running build can be opened.`);
  }
  // Who opened which database as whom: connecting is access to the data (PRODUCT.md §8).
  await recordAudit({ prisma: deps.prisma, actorId: access.userId, projectId: access.project.id, action: "build.connect", target: `build #${build.number}`, details: { stage: build.stage, login } });
  const now = deps.now?.() ?? Date.now();
  // Connecting is use: the garbage collector keeps development builds used in the last days.
  await deps.prisma.build.update({ where: { id: build.id }, data: { lastUsedAt: new Date(now) } });
  const token = signConnectToken(connectSecretFor(deps.encryptionKey, build.id), {
    db: build.databaseName,
    login,
    exp: Math.floor(now / 1000) + TOKEN_LIFETIME_S,
    nonce: randomBytes(16).toString("hex"),
  });
  return `${buildUrl({ hostname: build.hostname, proxyPort: deps.proxyPort })}/slipway/connect?token=${encodeURIComponent(token)}`;
}
