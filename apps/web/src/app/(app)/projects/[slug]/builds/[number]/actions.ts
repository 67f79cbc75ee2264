"use server";

import { isDomainError } from "@slipway/domain";
import { redirect } from "next/navigation";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { connectBuild } from "@/server/builds/connect-build";
import { deps } from "@/server/deps";

export interface ConnectState {
  error?: string;
  login: string;
  /**
   * A signed login for the browser to POST to the build (ConnectSubmit submits it at once): the
   * token travels in a form body, never in a URL. `attempt` changes on every success.
   */
  post?: { url: string; token: string; attempt: number };
}

/**
 * Connect / Connect as: authorizes, then either signs a short-lived single-use token for the
 * browser to post to the build, or (for roles without Connect as on this stage) sends the browser to
 * the build's Odoo login page.
 */
export async function connectAction(previous: ConnectState, form: FormData): Promise<ConnectState> {
  // Visitors of a public project may connect to development builds: the matrix decides.
  const user = await getCurrentUser();
  const login =
    String(form.get("login") ?? "")
      .trim()
      .slice(0, 128) || "admin";
  const d = deps();
  let target;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug: String(form.get("slug") ?? "") });
    target = await connectBuild(
      { prisma: d.prisma, encryptionKey: d.config.encryptionKey, proxy: d.config },
      { access, buildId: String(form.get("buildId") ?? ""), login },
    );
  } catch (e) {
    if (isDomainError(e)) return { login, error: e.message };
    console.error(`Slipway web: connect failed: ${(e as Error).stack ?? e}`);
    return { login, error: "Could not prepare the connection. Try again shortly." };
  }
  if (target.kind === "login") redirect(target.url);
  return { login, post: { url: target.url, token: target.token, attempt: (previous.post?.attempt ?? 0) + 1 } };
}
