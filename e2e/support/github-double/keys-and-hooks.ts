// Deploy keys and webhooks (issue 17 item 3), shapes from GitHub's OpenAPI description
// (components/schemas/deploy-key and hook):
//   GET    /repos/{owner}/{repo}/keys              200 the deploy keys
//   POST   /repos/{owner}/{repo}/keys              201 the key; 422 "key is already in use" / "key is invalid"
//   DELETE /repos/{owner}/{repo}/keys/{key_id}     204; 404
//   GET    /repos/{owner}/{repo}/hooks             200 the webhooks (a secret shows as "********")
//   POST   /repos/{owner}/{repo}/hooks             201 the hook; 422 "Hook already exists on this repository"
//   PATCH  /repos/{owner}/{repo}/hooks/{hook_id}   200 the hook (config replaced as sent)
//   DELETE /repos/{owner}/{repo}/hooks/{hook_id}   204; 404
// All need admin access to the repository (a token of its owner/admins, an installation including it).
import { githubTime, repoData, repoFor, repoOf } from "./access";
import type { RouteContext, RouteModule } from "./router";
import type { DoubleRepo, DoubleState } from "./state";

export interface DoubleDeployKey {
  id: number;
  key: string;
  title: string;
  read_only: boolean;
  created_at: string;
  added_by: string | null;
}

export interface DoubleHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url: string; content_type: string; insecure_ssl: string; secret?: string };
  created_at: string;
  updated_at: string;
}

interface Data {
  keys: DoubleDeployKey[];
  hooks: DoubleHook[];
}

const MODULE = "keys-and-hooks";
let nextId = 60_000_000;
const data = (repo: DoubleRepo) => repoData<Data>(repo, MODULE, () => ({ keys: [], hooks: [] }));

/** The deploy keys of a repository of the double (tests read and change them directly). */
export function deployKeysOf(state: DoubleState, fullName: string): DoubleDeployKey[] {
  return data(repoOf(state, fullName)).keys;
}

/** The webhooks of a repository of the double, with their real secrets (tests verify signatures). */
export function webhooksOf(state: DoubleState, fullName: string): DoubleHook[] {
  return data(repoOf(state, fullName)).hooks;
}

const material = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(" ");

function keyJson(ctx: RouteContext, repo: DoubleRepo, k: DoubleDeployKey) {
  return {
    id: k.id,
    key: k.key,
    url: `${ctx.baseUrl}/repos/${repo.owner}/${repo.name}/keys/${k.id}`,
    title: k.title,
    verified: true,
    created_at: k.created_at,
    read_only: k.read_only,
    added_by: k.added_by,
    last_used: null,
    enabled: true,
  };
}

function hookJson(ctx: RouteContext, repo: DoubleRepo, h: DoubleHook) {
  const base = `${ctx.baseUrl}/repos/${repo.owner}/${repo.name}/hooks/${h.id}`;
  const { secret, ...config } = h.config;
  return {
    type: "Repository",
    id: h.id,
    name: "web",
    active: h.active,
    events: h.events,
    config: secret ? { ...config, secret: "********" } : config,
    updated_at: h.updated_at,
    created_at: h.created_at,
    url: base,
    test_url: `${base}/test`,
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  };
}

function callerLogin(ctx: RouteContext): string | null {
  return ctx.caller?.kind === "user" ? ctx.caller.login : null;
}

function hookConfig(body: Record<string, unknown>, previous?: DoubleHook["config"]): DoubleHook["config"] | null {
  const c = (body.config ?? null) as Record<string, unknown> | null;
  if (!c) return previous ?? null;
  if (typeof c.url !== "string" || !/^https?:\/\//.test(c.url)) return null;
  return {
    url: c.url,
    content_type: typeof c.content_type === "string" ? c.content_type : "form",
    insecure_ssl: String(c.insecure_ssl ?? "0"),
    ...(typeof c.secret === "string" && c.secret ? { secret: c.secret } : {}),
  };
}

export const keysAndHooksRoutes: RouteModule = (router) => {
  router.get("/repos/:owner/:repo/keys", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (repo)
      ctx.json(
        200,
        data(repo).keys.map((k) => keyJson(ctx, repo, k)),
      );
  });
  router.post("/repos/:owner/:repo/keys", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const key = typeof ctx.body.key === "string" ? ctx.body.key : "";
    if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/]+=*( .*)?$/.test(key.trim()))
      return ctx.error(422, "Validation Failed", {
        errors: [{ resource: "PublicKey", code: "custom", field: "key", message: "key is invalid" }],
      });
    for (const other of ctx.state.repos.values())
      if (data(other).keys.some((k) => material(k.key) === material(key)))
        return ctx.error(422, "Validation Failed", {
          errors: [{ resource: "PublicKey", code: "custom", field: "key", message: "key is already in use" }],
        });
    const k: DoubleDeployKey = {
      id: ++nextId,
      key: material(key),
      title: typeof ctx.body.title === "string" ? ctx.body.title : "",
      read_only: ctx.body.read_only !== false,
      created_at: githubTime(),
      added_by: callerLogin(ctx),
    };
    data(repo).keys.push(k);
    ctx.json(201, keyJson(ctx, repo, k));
  });
  router.delete("/repos/:owner/:repo/keys/:key_id", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const keys = data(repo).keys;
    const i = keys.findIndex((k) => String(k.id) === ctx.params.key_id);
    if (i < 0) return ctx.error(404, "Not Found");
    keys.splice(i, 1);
    ctx.noContent();
  });

  router.get("/repos/:owner/:repo/hooks", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (repo)
      ctx.json(
        200,
        data(repo).hooks.map((h) => hookJson(ctx, repo, h)),
      );
  });
  router.post("/repos/:owner/:repo/hooks", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const config = hookConfig(ctx.body);
    if (!config)
      return ctx.error(422, "Validation Failed", {
        errors: [{ resource: "Hook", code: "custom", message: "Config must contain URL for webhooks" }],
      });
    if (data(repo).hooks.some((h) => h.config.url === config.url))
      return ctx.error(422, "Validation Failed", {
        errors: [{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }],
      });
    const now = githubTime();
    const h: DoubleHook = {
      id: ++nextId,
      active: ctx.body.active !== false,
      events: Array.isArray(ctx.body.events) ? (ctx.body.events as string[]) : ["push"],
      config,
      created_at: now,
      updated_at: now,
    };
    data(repo).hooks.push(h);
    ctx.json(201, hookJson(ctx, repo, h));
  });
  router.patch("/repos/:owner/:repo/hooks/:hook_id", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const h = data(repo).hooks.find((x) => String(x.id) === ctx.params.hook_id);
    if (!h) return ctx.error(404, "Not Found");
    const config = hookConfig(ctx.body, h.config);
    if (!config) return ctx.error(422, "Validation Failed");
    h.config = config;
    if (Array.isArray(ctx.body.events)) h.events = ctx.body.events as string[];
    if (typeof ctx.body.active === "boolean") h.active = ctx.body.active;
    h.updated_at = githubTime();
    ctx.json(200, hookJson(ctx, repo, h));
  });
  router.delete("/repos/:owner/:repo/hooks/:hook_id", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const hooks = data(repo).hooks;
    const i = hooks.findIndex((h) => String(h.id) === ctx.params.hook_id);
    if (i < 0) return ctx.error(404, "Not Found");
    hooks.splice(i, 1);
    ctx.noContent();
  });
};
