// The platform's GitHub App, created from the admin page through GitHub's manifest flow
// (docs/decisions/0010-github-credentials.md): the page posts a manifest to
// <github>/settings/apps/new?state=…, GitHub creates the App and sends the browser back to
// /api/admin/github-app/callback?code&state, and POST /app-manifests/{code}/conversions hands out
// the App's id, private key (pem), webhook secret and client secret once: stored encrypted here.
import { createHmac, timingSafeEqual } from "node:crypto";
import { encryptSecret, type WebConfig } from "@slipway/config";
import { deleteGitHubApp, saveGitHubApp, type AuthUser, type Db } from "@slipway/db";
import { DomainError, mayManageUsers } from "@slipway/domain";
import { createGitHubClient, isGitHubStatus } from "@slipway/github";
import { z } from "zod";
import { WEB_GITHUB_LIMITS } from "./project-github";

type Deps = { prisma: Db; config: Pick<WebConfig, "encryptionKey" | "github" | "web" | "sessionSecret"> };

/** How long the admin has to confirm the App on GitHub. */
const STATE_LIFETIME_MS = 60 * 60 * 1000;

/** Only platform administrators (superusers) create or forget the platform's GitHub App. */
export function mayManageGitHubApp(user: AuthUser | null): boolean {
  return mayManageUsers(user);
}

function assertAdmin(user: AuthUser | null): asserts user is AuthUser {
  if (!user) throw new DomainError("forbidden", "Sign in first.");
  if (!mayManageGitHubApp(user)) throw new DomainError("forbidden", "Only platform administrators may set up the GitHub App.");
}

export const callbackPath = "/api/admin/github-app/callback";

/** The manifest: a private App with the permissions Slipway's GitHub features use, no webhook of its own. */
export function appManifest(publicUrl: string) {
  const host = new URL(publicUrl).host;
  return {
    // GitHub caps App names at 34 characters; the admin may rename it on GitHub's confirmation page.
    name: `Slipway ${host}`.slice(0, 34),
    url: publicUrl,
    redirect_url: `${publicUrl}${callbackPath}`,
    public: false,
    // Deploy keys (administration), push webhooks (repository_hooks), commit statuses, merges (contents).
    default_permissions: {
      administration: "write",
      repository_hooks: "write",
      statuses: "write",
      contents: "write",
      metadata: "read",
    },
    default_events: [] as string[],
  };
}

function sign(secret: string, userId: string, issuedAt: number): string {
  return createHmac("sha256", secret).update(`github-app-manifest:${userId}:${issuedAt}`).digest("base64url");
}

/** A state bound to this administrator and time (stateless: an HMAC with the session secret). */
export function manifestState(deps: Deps, user: AuthUser, now = Date.now()): string {
  return `${now}.${sign(deps.config.sessionSecret, user.id, now)}`;
}

function stateValid(deps: Deps, user: AuthUser, state: string | null, now = Date.now()): boolean {
  const m = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(state ?? "");
  if (!m) return false;
  const issuedAt = Number(m[1]);
  if (now - issuedAt > STATE_LIFETIME_MS || issuedAt > now + 60_000) return false;
  const expected = Buffer.from(sign(deps.config.sessionSecret, user.id, issuedAt));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const organisation = z
  .string()
  .trim()
  .regex(/^$|^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, { error: "not a GitHub organisation name" });

/** Where the manifest form posts (a personal App, or one owned by `org`), with the state. */
export function manifestFormTarget(deps: Deps, user: AuthUser, org: string): { action: string; manifest: string } {
  assertAdmin(user);
  const parsed = organisation.safeParse(org);
  if (!parsed.success) throw new DomainError("invalid_input", `"${org}" is not a GitHub organisation name.`);
  const base = deps.config.github.oauthUrl;
  const path = parsed.data ? `/organizations/${encodeURIComponent(parsed.data)}/settings/apps/new` : "/settings/apps/new";
  const action = new URL(`${base}${path}`);
  action.searchParams.set("state", manifestState(deps, user));
  return { action: action.toString(), manifest: JSON.stringify(appManifest(deps.config.web.publicUrl)) };
}

const conversion = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  owner: z.object({ login: z.string().min(1).max(100) }).nullable(),
  html_url: z.string().url(),
  client_id: z.string().min(1).max(200),
  client_secret: z.string().min(1),
  webhook_secret: z.string().nullable(),
  pem: z.string().includes("PRIVATE KEY"),
});

/**
 * GitHub's redirect back: checks the administrator and the state, redeems the code (single use on
 * GitHub's side), stores the App with its secrets encrypted and audits it (no secret in the entry).
 */
export async function completeAppCreation(
  deps: Deps,
  options: { user: AuthUser | null; code: string | null; state: string | null; ip: string | null },
): Promise<{ name: string; slug: string; htmlUrl: string }> {
  assertAdmin(options.user);
  if (!stateValid(deps, options.user, options.state))
    throw new DomainError("forbidden", "The GitHub App confirmation could not be verified (expired or not started here); start again.");
  const code = z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .safeParse(options.code);
  if (!code.success) throw new DomainError("invalid_input", "GitHub sent no App code back; start again.");
  const client = createGitHubClient({ baseUrl: deps.config.github.apiUrl, auth: { kind: "none" }, limits: WEB_GITHUB_LIMITS });
  let data: unknown;
  try {
    data = (await client.rest.apps.createFromManifest({ code: code.data })).data;
  } catch (error) {
    // The Octokit error is not kept: its response carries the secrets when GitHub answered.
    if (isGitHubStatus(error, 404, 422))
      throw new DomainError("invalid_state", "GitHub no longer knows this App code (it is valid once, for an hour); start again.");
    const status = (error as { status?: unknown }).status;
    throw new DomainError(
      "upstream_failed",
      `GitHub did not hand out the App (${typeof status === "number" ? `HTTP ${status}` : "no answer"}).`,
    );
  }
  const parsed = conversion.safeParse(data);
  if (!parsed.success) throw new DomainError("upstream_failed", "GitHub answered the App creation with an unexpected body.");
  const app = parsed.data;
  const key = deps.config.encryptionKey;
  await saveGitHubApp(deps.prisma, {
    app: {
      appId: app.id,
      slug: app.slug,
      name: app.name,
      ownerLogin: app.owner?.login ?? "",
      htmlUrl: app.html_url,
      clientId: app.client_id,
      clientSecretEnc: encryptSecret(app.client_secret, key),
      webhookSecretEnc: app.webhook_secret ? encryptSecret(app.webhook_secret, key) : null,
      privateKeyEnc: encryptSecret(app.pem, key),
    },
    actorId: options.user.id,
    ip: options.ip,
  });
  return { name: app.name, slug: app.slug, htmlUrl: app.html_url };
}

/** Forgets the App (administrators only); its installations stay on GitHub until removed there. */
export async function forgetGitHubApp(deps: Deps, options: { user: AuthUser | null; ip: string | null }): Promise<boolean> {
  assertAdmin(options.user);
  return deleteGitHubApp(deps.prisma, { actorId: options.user.id, ip: options.ip });
}
