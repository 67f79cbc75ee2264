"use server";

import { isDomainError } from "@slipway/domain";
import { redirect } from "next/navigation";
import { loadProjectAccess } from "../../../../../../server/access";
import { getCurrentUser } from "../../../../../../server/auth/current-user";
import { connectUrl } from "../../../../../../server/builds/connect-build";
import { deps } from "../../../../../../server/deps";

export interface ConnectState {
  error?: string;
  login: string;
}

/** Connect / Connect as: authorizes, signs a short-lived token and sends the browser to the build. */
export async function connectAction(_previous: ConnectState, form: FormData): Promise<ConnectState> {
  // Visitors of a public project may connect to development builds: the matrix decides.
  const user = await getCurrentUser();
  const login = String(form.get("login") ?? "").trim().slice(0, 128) || "admin";
  const d = deps();
  let url: string;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug: String(form.get("slug") ?? "") });
    url = await connectUrl({ prisma: d.prisma, encryptionKey: d.config.encryptionKey, proxyPort: d.config.proxyPort }, { access, buildId: String(form.get("buildId") ?? ""), login });
  } catch (e) {
    if (isDomainError(e)) return { login, error: e.message };
    console.error(`Slipway web: connect failed: ${(e as Error).stack ?? e}`);
    return { login, error: "Could not prepare the connection. Try again shortly." };
  }
  redirect(url);
}
