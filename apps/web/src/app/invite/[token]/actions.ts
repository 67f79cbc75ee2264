"use server";

import { isDomainError } from "@slipway/domain";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { SESSION_COOKIE, clientIp, sessionCookieOptions } from "@/server/auth/session-cookie";
import { generateSessionToken, hashSessionToken, sessionExpiry } from "@/server/auth/session-policy";
import { deps } from "@/server/deps";
import { acceptInvite } from "@/server/users/manage-users";

export interface AcceptInviteState {
  error?: string;
}

/**
 * Sets the invitee's password (the link works once and until it expires), then signs them in with
 * a new session, like a password sign-in does.
 */
export async function acceptInviteAction(_previous: AcceptInviteState, form: FormData): Promise<AcceptInviteState> {
  const token = String(form.get("token") ?? "").slice(0, 100);
  const { prisma, sessions, config } = deps();
  const requestHeaders = await headers();
  const ip = clientIp(requestHeaders, config.trustedProxies);
  let session: { token: string };
  try {
    const { userId } = await acceptInvite(
      { prisma },
      { token, password: String(form.get("password") ?? "").slice(0, 1100), confirm: String(form.get("confirm") ?? "").slice(0, 1100), ip },
    );
    const sessionToken = generateSessionToken();
    const now = new Date();
    await sessions.create({
      tokenHash: hashSessionToken(sessionToken),
      userId,
      expiresAt: sessionExpiry({ createdAt: now, now }),
      ip,
      userAgent: requestHeaders.get("user-agent"),
    });
    session = { token: sessionToken };
  } catch (e) {
    if (isDomainError(e)) return { error: e.message };
    console.error(`Slipway web: accepting an invite failed: ${(e as Error).stack ?? e}`);
    return { error: "Setting the password failed (database unreachable?). Try again shortly." };
  }
  (await cookies()).set(SESSION_COOKIE, session.token, sessionCookieOptions({ publicUrl: config.web.publicUrl }));
  redirect("/projects");
}
