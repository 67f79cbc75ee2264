"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { deps } from "../../server/deps";
import { logIn } from "../../server/auth/log-in";
import { SESSION_COOKIE, clientIp, sessionCookieOptions } from "../../server/auth/session-cookie";

export interface LoginFormState {
  login: string;
  error?: string;
}

const MAX_FIELD_LENGTH = 1024;

export async function logInAction(_previous: LoginFormState, form: FormData): Promise<LoginFormState> {
  const login = String(form.get("login") ?? "").slice(0, 200);
  const password = String(form.get("password") ?? "").slice(0, MAX_FIELD_LENGTH);
  if (login.trim() === "" || password === "") return { login, error: "Enter your login and password." };

  const { users, sessions, loginFailures, loginPolicy, config } = deps();
  const requestHeaders = await headers();
  let result;
  try {
    result = await logIn({
      users,
      sessions,
      failures: loginFailures,
      policy: loginPolicy,
      login,
      password,
      ip: clientIp(requestHeaders, config.trustedProxies),
      userAgent: requestHeaders.get("user-agent"),
    });
  } catch (error) {
    console.error(`Slipway web: sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    return { login, error: "Sign-in is unavailable right now (database or Redis unreachable). Try again shortly." };
  }
  if (!result.ok) return { login, error: result.message };

  (await cookies()).set(SESSION_COOKIE, result.token, sessionCookieOptions({ publicUrl: config.web.publicUrl }));
  redirect("/projects");
}
