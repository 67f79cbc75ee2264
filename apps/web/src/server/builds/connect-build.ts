import { randomBytes } from "node:crypto";
import { findProjectBuild, markBuildUsed, type Db } from "@slipway/db";
import { buildAddress, connectSecretFor, signConnectToken, type BaseConfig } from "@slipway/config";
import { DomainError } from "@slipway/domain";
import { authorizeTool, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";

export interface ConnectDeps {
  prisma: Db;
  encryptionKey: Buffer;
  /** The proxy's ports and TLS setting: the build's address is https:// when TLS is on. */
  proxy: Pick<BaseConfig, "proxyPort" | "tls">;
  now?: () => number;
}

const TOKEN_LIFETIME_S = 60;

/**
 * Where Connect sends the browser:
 * - "signed": an automatic login as `login`. The token goes in the body of a POST to the build's
 *   /slipway/connect (an auto-submitting form), never in a URL, so Odoo's request log, the proxy's
 *   logs, the browser history and Referer headers never hold it. The platform addon checks the
 *   signature, the expiry and that the nonce was never redeemed before (recorded in the build's
 *   own database), so a token works once.
 * - "login": the build's Odoo login page (no token), for those the matrix gives Connect but not
 *   Connect as: developers on staging and production, testers on production.
 */
export type ConnectTarget = { kind: "signed"; url: string; token: string; login: string } | { kind: "login"; url: string };

/**
 * Connect / Connect as a running build's Odoo. The matrix's "connect" cell decides whether the
 * build may be opened at all, its "connect_as" cell whether it opens logged in (as `login`,
 * default admin) or on Odoo's login page. Audited either way, and counted as use of the build.
 */
export async function connectBuild(
  deps: ConnectDeps,
  options: { access: ProjectAccess; buildId: string; login: string },
): Promise<ConnectTarget> {
  const { access, buildId } = options;
  const login = options.login.trim() || "admin";
  const build = await findProjectBuild(deps.prisma, { projectId: access.project.id, buildId });
  if (!build) throw new DomainError("not_found", "This build does not exist.");
  authorizeTool({ access, stage: build.stage, tool: "connect" });
  if (build.state !== "running" || !build.hostname || !build.databaseName) {
    throw new DomainError("invalid_state", `Build #${build.number} is not running; only a running build can be opened.`);
  }
  const signed = access.can({ stage: build.stage, tool: "connect_as" });
  const now = deps.now?.() ?? Date.now();
  const base = buildAddress(deps.proxy, build.hostname);
  const nonce = randomBytes(16).toString("hex");
  // Signed first: a login Slipway cannot sign for is refused before anything is recorded.
  const token = signed
    ? signConnectToken(connectSecretFor(deps.encryptionKey, build.id), {
        db: build.databaseName,
        login,
        exp: Math.floor(now / 1000) + TOKEN_LIFETIME_S,
        nonce,
      })
    : null;
  // Who opened which database as whom: connecting is access to the data (docs/product/roles-and-access.md). The nonce
  // ties this entry to the one redemption the build's addon allows.
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: "build.connect",
    target: `build #${build.number}`,
    details: token ? { stage: build.stage, login, nonce } : { stage: build.stage, loginPage: true },
  });
  // Connecting is use: the garbage collector keeps development builds used in the last days.
  await markBuildUsed(deps.prisma, build.id, new Date(now));
  if (!token) return { kind: "login", url: `${base}/web/login` };
  return { kind: "signed", url: `${base}/slipway/connect`, token, login };
}
