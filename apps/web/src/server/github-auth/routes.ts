import { isDomainError } from "@slipway/domain";
import { NextResponse } from "next/server";
import { clientIp, cookieFrom, SESSION_COOKIE, sessionCookieOptions } from "../auth/session-cookie";
import type { WebDeps } from "../deps";
import { completeGithubLogin } from "./complete-github-login";
import { callbackUrl, GITHUB_STATE_COOKIE, newOauthState, stateCookieOptions } from "./oauth-state";

export { cookieFrom };

type Deps = Pick<WebDeps, "config" | "prisma" | "sessions">;

const notConfigured = () => Response.json({ error: { code: "not_found", message: "GitHub sign-in is not configured." } }, { status: 404 });

/** GET /api/auth/github: binds a fresh state to this browser and sends it to GitHub's authorize page. */
export function startGithubLogin(deps: Deps): Response {
  const { config } = deps;
  const oauth = config.github.oauth;
  if (!oauth) return notConfigured();
  const state = newOauthState();
  const authorize = new URL(`${config.github.oauthUrl}/login/oauth/authorize`);
  authorize.searchParams.set("client_id", oauth.clientId);
  authorize.searchParams.set("redirect_uri", callbackUrl(config.web.publicUrl));
  // read:org only when organisation members are admitted (to read their, possibly private, membership).
  authorize.searchParams.set("scope", config.github.organisations.length > 0 ? "read:user read:org" : "read:user");
  authorize.searchParams.set("state", state);
  authorize.searchParams.set("allow_signup", "false");
  const response = NextResponse.redirect(authorize, 302);
  response.cookies.set(GITHUB_STATE_COOKIE, state, stateCookieOptions({ publicUrl: config.web.publicUrl }));
  return response;
}

/** GET /api/auth/github/callback: verifies the state, signs the user in, clears the state cookie. */
export async function finishGithubLogin(deps: Deps, request: Request): Promise<Response> {
  const { config } = deps;
  const oauth = config.github.oauth;
  if (!oauth) return notConfigured();
  const url = new URL(request.url);
  const publicUrl = config.web.publicUrl;
  let response: NextResponse;
  try {
    const result = await completeGithubLogin(
      {
        prisma: deps.prisma,
        sessions: deps.sessions,
        publicUrl,
        github: { oauthUrl: config.github.oauthUrl, apiUrl: config.github.apiUrl, organisations: config.github.organisations, ...oauth },
      },
      {
        code: url.searchParams.get("code"),
        state: url.searchParams.get("state"),
        cookieState: cookieFrom(request.headers.get("cookie"), GITHUB_STATE_COOKIE),
        ip: clientIp(request.headers, config.trustedProxies),
        userAgent: request.headers.get("user-agent"),
      },
    );
    response = NextResponse.redirect(`${publicUrl}/projects`, 303);
    response.cookies.set(SESSION_COOKIE, result.token, sessionCookieOptions({ publicUrl }));
  } catch (e) {
    if (!isDomainError(e)) {
      console.error(`Slipway web: GitHub sign-in failed: ${(e as Error).stack ?? e}`);
    }
    const message = isDomainError(e) ? e.message : "GitHub sign-in failed; try again shortly.";
    response = NextResponse.redirect(`${publicUrl}/login?error=${encodeURIComponent(message)}`, 303);
  }
  // Single use: a replayed callback finds no state.
  response.cookies.set(GITHUB_STATE_COOKIE, "", { ...stateCookieOptions({ publicUrl }), maxAge: 0 });
  return response;
}
