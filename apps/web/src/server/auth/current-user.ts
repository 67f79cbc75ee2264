import type { AuthUser } from "@slipway/db";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { deps } from "../deps";
import { resolveSession } from "./resolve-session";
import { SESSION_COOKIE } from "./session-cookie";

/** The signed-in user of the current request, or null. Memoized per request. */
export const getCurrentUser = cache(async (): Promise<AuthUser | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return resolveSession({ sessions: deps().sessions, token });
});

/** For pages, layouts and server actions: the user, or a redirect to /login. */
export async function requireUser(): Promise<AuthUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return user;
}

/** For route handlers: the user, or a 401 JSON response to return as is. */
export async function requireApiUser(): Promise<{ user: AuthUser; response?: never } | { user?: never; response: Response }> {
  const user = await getCurrentUser();
  if (user) return { user };
  return { response: Response.json({ error: { code: "unauthorized", message: "Sign in first." } }, { status: 401 }) };
}
