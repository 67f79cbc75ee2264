// Test support (outside src: never part of the app): the table of real HTTP route handlers the generated
// access-matrix test calls for each cell of the role matrix. Other areas add a row per new route
// (shell ticket, monitor metrics, mails, backups, …); a tool without a row is still checked through
// authorizeBuildTool, the function every route calls.
import type { ProjectAction, Tool } from "@slipway/domain";

export interface ProbeContext {
  slug: string;
  /** Number of the stage's running build. */
  buildNumber: number;
  /** Cookie header of the viewer, or null for an anonymous request. */
  cookie: string | null;
  /** The panel's public origin (POSTs carry it, as browsers do). */
  origin: string;
  signal: AbortSignal;
}

export interface RouteProbe {
  name: string;
  /** The matrix cell the route is gated by: a build tool (per stage) or a project action. */
  tool?: Tool;
  action?: ProjectAction;
  /** The status when allowed (409 when the fixture's build state makes the use case refuse after authorization). */
  allowedStatus: number;
  call(ctx: ProbeContext): Promise<Response>;
}

const headers = (ctx: ProbeContext, post: boolean): Record<string, string> => ({
  ...(ctx.cookie ? { cookie: ctx.cookie } : {}),
  ...(post ? { origin: ctx.origin, "content-type": "application/json" } : {}),
});

function request(ctx: ProbeContext, path: string, body?: unknown): Request {
  const post = body !== undefined;
  return new Request(`${ctx.origin}${path}`, {
    method: post ? "POST" : "GET",
    headers: headers(ctx, post),
    body: post ? JSON.stringify(body) : undefined,
    signal: ctx.signal,
  });
}

/** The name of the branch of the probed build (the Backups routes name branches, not builds). */
async function branchOf(ctx: ProbeContext): Promise<string> {
  const { deps } = await import("@/server/deps");
  const build = await deps().prisma.build.findFirst({
    where: { number: ctx.buildNumber, project: { slug: ctx.slug } },
    select: { branch: { select: { name: true } } },
  });
  return encodeURIComponent(build?.branch.name ?? "none");
}

const buildParams = (ctx: ProbeContext) => ({ params: Promise.resolve({ slug: ctx.slug, number: String(ctx.buildNumber) }) });

export const routeProbes: RouteProbe[] = [
  {
    name: "POST /api/projects/:slug/builds/:number/connect",
    tool: "connect",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/connect/route")).POST(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/connect`, { login: "admin" }),
        buildParams(ctx),
      ),
  },
  {
    // The same route answers a signed login (a token to post, never in the URL) only where the
    // matrix grants connect_as; to other roles that may connect it answers the Odoo login page,
    // counted here as a refusal (403) so the walk tells the two apart.
    name: "POST /api/projects/:slug/builds/:number/connect (signed login, not the login page)",
    tool: "connect_as",
    allowedStatus: 200,
    call: async (ctx) => {
      const route = (await import("@/app/api/projects/[slug]/builds/[number]/connect/route")).POST;
      const response = await route(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/connect`, { login: "admin" }),
        buildParams(ctx),
      );
      if (response.status !== 200) return response;
      const body = (await response.json()) as { url: string; method: string; fields?: { token?: string } };
      const token = body.fields?.token;
      if (body.method === "POST" && token && body.url.endsWith("/slipway/connect") && !body.url.includes(token)) return Response.json(body);
      if (body.method === "GET" && body.url.endsWith("/web/login"))
        return Response.json({ error: { code: "forbidden", message: "login page only" } }, { status: 403 });
      return Response.json({ error: { code: "unexpected", message: JSON.stringify(body) } }, { status: 500 });
    },
  },
  {
    // The fixture's branch already has a build in progress: allowed → 409 "already in progress", nothing queued.
    name: "POST /api/projects/:slug/builds/:number/rebuild",
    tool: "settings",
    allowedStatus: 409,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/rebuild/route")).POST(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/rebuild`, {}),
        buildParams(ctx),
      ),
  },
  {
    // The running build is not in progress: allowed → 409 "cannot cancel", nothing changed.
    name: "POST /api/projects/:slug/builds/:number/cancel",
    tool: "settings",
    allowedStatus: 409,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/cancel/route")).POST(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/cancel`, {}),
        buildParams(ctx),
      ),
  },
  {
    name: "GET /api/projects/:slug/builds/:number/logs",
    tool: "logs",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/logs/route")).GET(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/logs`),
        buildParams(ctx),
      ),
  },
  {
    name: "GET /api/projects/:slug/builds/:number/logs/odoo.log/follow (SSE)",
    tool: "logs",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/logs/[file]/follow/route")).GET(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/logs/odoo.log/follow`),
        {
          params: Promise.resolve({ slug: ctx.slug, number: String(ctx.buildNumber), file: "odoo.log" }),
        },
      ),
  },
  {
    // The ticket the browser presents to the worker's terminal gateway (which checks the role again).
    name: "POST /api/projects/:slug/builds/:number/shell-ticket",
    tool: "shell",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/shell-ticket/route")).POST(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/shell-ticket`, {}),
        buildParams(ctx),
      ),
  },
  {
    name: "GET /api/projects/:slug/builds/:number/metrics",
    tool: "monitor",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/builds/[number]/metrics/route")).GET(
        request(ctx, `/api/projects/${ctx.slug}/builds/${ctx.buildNumber}/metrics?range=1h`),
        buildParams(ctx),
      ),
  },
  {
    name: "GET /api/projects/:slug/backups?branch=",
    tool: "backups",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/backups/route")).GET(
        request(ctx, `/api/projects/${ctx.slug}/backups?branch=${await branchOf(ctx)}`),
        { params: Promise.resolve({ slug: ctx.slug }) },
      ),
  },
  {
    // An empty upload: allowed → 400 "The uploaded file is empty." after authorization; nothing written or queued.
    name: "POST /api/projects/:slug/backups/uploads?branch= (import upload)",
    tool: "backups",
    allowedStatus: 400,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/backups/uploads/route")).POST(
        new Request(`${ctx.origin}/api/projects/${ctx.slug}/backups/uploads?branch=${await branchOf(ctx)}`, {
          method: "POST",
          headers: { ...headers(ctx, true), "content-type": "application/octet-stream" },
          body: "",
          signal: ctx.signal,
        }),
        { params: Promise.resolve({ slug: ctx.slug }) },
      ),
  },
  {
    name: "GET /api/projects/:slug/events (SSE)",
    action: "view_project",
    allowedStatus: 200,
    call: async (ctx) =>
      (await import("@/app/api/projects/[slug]/events/route")).GET(request(ctx, `/api/projects/${ctx.slug}/events`), {
        params: Promise.resolve({ slug: ctx.slug }),
      }),
  },
];
