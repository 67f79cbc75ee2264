// github.com's OAuth web flow: authorize (approves as the signed-in account) → code → access token.
import { randomBytes } from "node:crypto";
import type { RouteModule } from "./router";
import { newToken } from "./state";

export const oauthRoutes =
  (client: { clientId: string; clientSecret: string }): RouteModule =>
  (router, state) => {
    router.page("GET", "/login/oauth/authorize", (ctx) => {
      const redirectUri = ctx.url.searchParams.get("redirect_uri");
      if (ctx.url.searchParams.get("client_id") !== client.clientId || !redirectUri)
        return ctx.json(400, { error: "unknown client or missing redirect_uri" });
      if (!state.signedIn) return ctx.json(401, { error: "nobody is signed in to the GitHub double (call signInAs)" });
      const code = randomBytes(10).toString("hex");
      state.oauthCodes.set(code, { login: state.signedIn, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      const st = ctx.url.searchParams.get("state");
      if (st !== null) back.searchParams.set("state", st);
      ctx.res.writeHead(302, { location: back.toString() });
      ctx.res.end();
    });
    router.page("POST", "/login/oauth/access_token", (ctx) => {
      const body = ctx.body as Record<string, string | undefined>;
      const grant = body.code ? state.oauthCodes.get(body.code) : undefined;
      // GitHub answers 200 with an error field for a bad code; codes are single-use.
      let answer: Record<string, string>;
      if (body.client_id !== client.clientId || body.client_secret !== client.clientSecret)
        answer = {
          error: "incorrect_client_credentials",
          error_description: "The client_id and/or client_secret passed are incorrect.",
          error_uri:
            "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials",
        };
      else if (!grant || (body.redirect_uri && body.redirect_uri !== grant.redirectUri))
        answer = {
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
          error_uri:
            "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
        };
      else {
        state.oauthCodes.delete(body.code!);
        const token = newToken("gho");
        state.tokens.set(token, { login: grant.login });
        answer = { access_token: token, token_type: "bearer", scope: "read:org,read:user" };
      }
      if ((ctx.req.headers.accept ?? "").includes("application/json")) {
        ctx.res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        return ctx.res.end(JSON.stringify(answer));
      }
      ctx.res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
      ctx.res.end(new URLSearchParams(answer).toString());
    });
  };
