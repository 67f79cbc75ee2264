// Users: GET /user, GET /users/{login}, GET /user/memberships/orgs/{org}.
import type { RouteContext, RouteModule } from "./router";
import type { DoubleState, DoubleUser } from "./state";

/**
 * GitHub's "simple-user" object for `login`: its API and page links, with the id, node id, avatar and
 * type the caller knows (a known user, a repository's owner, a status's creator).
 */
export function simpleUser(
  login: string,
  baseUrl: string,
  who: { id: number; nodeId: string; avatarUrl: string; type: "User" | "Organization" | "Bot" },
) {
  const api = `${baseUrl}/users/${login}`;
  return {
    login,
    id: who.id,
    node_id: who.nodeId,
    avatar_url: who.avatarUrl,
    gravatar_id: "",
    url: api,
    html_url: `${baseUrl}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: who.type,
    site_admin: false,
  };
}

/** The public user object (GitHub's "simple-user" / "public-user" fields). */
export function publicUser(user: DoubleUser, baseUrl: string) {
  return {
    ...simpleUser(user.login, baseUrl, {
      id: user.id,
      nodeId: Buffer.from(`04:User${user.id}`).toString("base64"),
      avatarUrl: user.avatar_url ?? `https://avatars.example/u/${user.id}`,
      type: "User",
    }),
    user_view_type: "public",
  };
}

function fullUser(user: DoubleUser, baseUrl: string) {
  return {
    ...publicUser(user, baseUrl),
    name: user.name ?? null,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: "2020-01-01T00:00:00Z",
    updated_at: "2020-01-01T00:00:00Z",
  };
}

function signedInUser(ctx: RouteContext, state: DoubleState): DoubleUser | null {
  const login = ctx.caller?.kind === "user" ? ctx.caller.login : undefined;
  const user = login ? state.users.get(login.toLowerCase()) : undefined;
  if (!user) {
    ctx.error(401, ctx.caller ? "Resource not accessible by integration" : "Requires authentication");
    return null;
  }
  return user;
}

export const userRoutes: RouteModule = (router, state) => {
  router.get("/user", (ctx) => {
    if (ctx.authSent && !ctx.caller) return ctx.error(401, "Bad credentials");
    const user = signedInUser(ctx, state);
    if (user) ctx.json(200, fullUser(user, ctx.baseUrl));
  });
  router.get("/user/memberships/orgs/:org", (ctx) => {
    if (ctx.authSent && !ctx.caller) return ctx.error(401, "Bad credentials");
    const user = signedInUser(ctx, state);
    if (!user) return;
    const org = ctx.params.org!;
    if (!(user.orgs ?? []).some((o) => o.toLowerCase() === org.toLowerCase())) return ctx.error(404, "Not Found");
    const orgUrl = `${ctx.baseUrl}/orgs/${org}`;
    ctx.json(200, {
      url: `${ctx.baseUrl}/orgs/${org}/memberships/${user.login}`,
      state: "active",
      role: "member",
      organization_url: orgUrl,
      organization: {
        login: org,
        id: 1,
        node_id: "MDEyOk9yZ2FuaXphdGlvbjE=",
        url: orgUrl,
        repos_url: `${orgUrl}/repos`,
        events_url: `${orgUrl}/events`,
        hooks_url: `${orgUrl}/hooks`,
        issues_url: `${orgUrl}/issues`,
        members_url: `${orgUrl}/members{/member}`,
        public_members_url: `${orgUrl}/public_members{/member}`,
        avatar_url: "https://avatars.example/o/1",
        description: null,
      },
      user: publicUser(user, ctx.baseUrl),
    });
  });
  router.get("/users/:login", (ctx) => {
    if (ctx.authSent && !ctx.caller) return ctx.error(401, "Bad credentials");
    const user = state.users.get(ctx.params.login!.toLowerCase());
    if (!user) return ctx.error(404, "Not Found");
    ctx.json(200, fullUser(user, ctx.baseUrl));
  });
};
