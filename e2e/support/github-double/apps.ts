// GitHub Apps: the manifest flow (POST <github>/settings/apps/new → redirect with a code →
// POST /app-manifests/{code}/conversions), GET /app, installation discovery
// (GET /repos/{owner}/{repo}/installation) and installation tokens (POST /app/installations/{id}/access_tokens).
// App routes need the app's JWT (RS256, verified with the key handed out at creation).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { githubTime, repoData } from "./access";
import type { RouteContext, RouteModule } from "./router";
import { newToken, repoKey, type DoubleApp, type DoubleInstallation, type DoubleState } from "./state";
import { publicUser } from "./users";

/** What POST /app-manifests/{code}/conversions answers (the only time the pem and secrets are shown). */
export type ManifestResult = ReturnType<typeof appJson> & {
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  pem: string;
};

function appJson(app: DoubleApp, baseUrl: string) {
  const at = githubTime(new Date("2024-01-01T00:00:00Z"));
  return {
    id: app.id,
    slug: app.slug,
    node_id: Buffer.from(`03:App${app.id}`).toString("base64"),
    client_id: app.client_id,
    owner: publicUser({ id: 1, login: app.owner }, baseUrl),
    name: app.name,
    description: typeof app.manifest.description === "string" ? app.manifest.description : null,
    external_url: typeof app.manifest.url === "string" ? app.manifest.url : "",
    html_url: `${baseUrl}/apps/${app.slug}`,
    created_at: at,
    updated_at: at,
    permissions: (app.manifest.default_permissions as Record<string, string> | undefined) ?? {},
    events: (app.manifest.default_events as string[] | undefined) ?? [],
    installations_count: 0,
  };
}

/** Creates an app from a manifest, as GitHub does when the user confirms the manifest form. */
export function createDoubleApp(state: DoubleState, baseUrl: string, owner: string, manifest: Record<string, unknown>): ManifestResult {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const id = state.nextId();
  const name = typeof manifest.name === "string" && manifest.name ? manifest.name : `app-${id}`;
  const hookAttributes = manifest.hook_attributes as { url?: string } | undefined;
  const app: DoubleApp = {
    id,
    slug: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    name,
    client_id: `Iv23${randomBytes(8).toString("hex")}`,
    client_secret: randomBytes(20).toString("hex"),
    webhook_secret: hookAttributes?.url ? randomBytes(20).toString("hex") : null,
    pem: privateKey,
    publicKeyPem: publicKey,
    manifest,
    owner,
  };
  state.apps.set(id, app);
  return {
    ...appJson(app, baseUrl),
    client_id: app.client_id,
    client_secret: app.client_secret,
    webhook_secret: app.webhook_secret,
    pem: app.pem,
  };
}

function installationJson(inst: DoubleInstallation, app: DoubleApp, baseUrl: string) {
  const at = githubTime(new Date("2024-01-01T00:00:00Z"));
  return {
    id: inst.id,
    account: publicUser({ id: 1, login: inst.account }, baseUrl),
    repository_selection: inst.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${baseUrl}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${baseUrl}/installation/repositories`,
    html_url: `${baseUrl}/settings/installations/${inst.id}`,
    app_id: app.id,
    app_slug: app.slug,
    client_id: app.client_id,
    target_id: 1,
    target_type: "User",
    permissions: (app.manifest.default_permissions as Record<string, string> | undefined) ?? {},
    events: (app.manifest.default_events as string[] | undefined) ?? [],
    created_at: at,
    updated_at: at,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function appCaller(ctx: RouteContext): DoubleApp | null {
  const app = ctx.caller?.kind === "app" ? ctx.state.apps.get(ctx.caller.appId) : undefined;
  if (!app) {
    ctx.error(401, ctx.authSent ? "A JSON web token could not be decoded" : "Requires authentication");
    return null;
  }
  return app;
}

export const appRoutes: RouteModule = (router, state) => {
  // github.com: the manifest form (personal account or organisation). The double approves at once as the
  // signed-in account and redirects to the manifest's redirect_url with ?code=&state=.
  const newApp = (ctx: RouteContext) => {
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(String(ctx.body.manifest ?? "")) as Record<string, unknown>;
    } catch {
      return ctx.json(422, { message: "The manifest is not valid JSON" });
    }
    const redirect = typeof manifest.redirect_url === "string" ? manifest.redirect_url : null;
    if (!redirect || typeof manifest.url !== "string") return ctx.json(422, { message: "url and redirect_url are required" });
    const owner = ctx.params.org ?? state.signedIn;
    if (!owner) return ctx.json(401, { message: "nobody is signed in to the GitHub double (call signInAs)" });
    const code = randomBytes(10).toString("hex");
    state.manifestCodes.set(code, { manifest, owner });
    const back = new URL(redirect);
    back.searchParams.set("code", code);
    const st = ctx.url.searchParams.get("state");
    if (st !== null) back.searchParams.set("state", st);
    ctx.res.writeHead(302, { location: back.toString() });
    ctx.res.end();
  };
  router.page("POST", "/settings/apps/new", newApp);
  router.page("POST", "/organizations/:org/settings/apps/new", newApp);

  router.post("/app-manifests/:code/conversions", (ctx) => {
    const grant = state.manifestCodes.get(ctx.params.code!);
    if (!grant) return ctx.error(404, "Not Found");
    state.manifestCodes.delete(ctx.params.code!);
    ctx.json(201, createDoubleApp(state, ctx.baseUrl, grant.owner, grant.manifest));
  });

  router.get("/app", (ctx) => {
    const app = appCaller(ctx);
    if (app) ctx.json(200, appJson(app, ctx.baseUrl));
  });

  router.get("/repos/:owner/:repo/installation", (ctx) => {
    const app = appCaller(ctx);
    if (!app) return;
    const key = repoKey(ctx.params.owner!, ctx.params.repo!);
    const inst = [...state.installations.values()].find(
      (i) =>
        i.appId === app.id &&
        (i.repositories === "all" ? i.account.toLowerCase() === ctx.params.owner!.toLowerCase() : i.repositories.includes(key)),
    );
    if (!inst) return ctx.error(404, "Not Found");
    ctx.json(200, installationJson(inst, app, ctx.baseUrl));
  });

  router.get("/app/installations/:id", (ctx) => {
    const app = appCaller(ctx);
    if (!app) return;
    const inst = state.installations.get(Number(ctx.params.id));
    if (!inst || inst.appId !== app.id) return ctx.error(404, "Not Found");
    ctx.json(200, installationJson(inst, app, ctx.baseUrl));
  });

  router.post("/app/installations/:id/access_tokens", (ctx) => {
    const app = appCaller(ctx);
    if (!app) return;
    const inst = state.installations.get(Number(ctx.params.id));
    if (!inst || inst.appId !== app.id) return ctx.error(404, "Not Found");
    const token = newToken("ghs");
    const expiresAt = Date.now() + 3600_000;
    state.tokens.set(token, { installationId: inst.id, expiresAt });
    ctx.json(201, {
      token,
      expires_at: githubTime(new Date(expiresAt)),
      permissions: (app.manifest.default_permissions as Record<string, string> | undefined) ?? {},
      repository_selection: inst.repositories === "all" ? "all" : "selected",
    });
  });
};

/** Tokens minted so far for an installation (tests: "a token per use"). */
export function mintedTokens(state: DoubleState, installationId: number): number {
  return [...state.tokens.values()].filter((t) => t.installationId === installationId).length;
}

export { repoData };
