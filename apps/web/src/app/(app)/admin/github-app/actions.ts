"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { forgetGitHubApp } from "@/server/github/github-app";

/** Forgets the platform's GitHub App (administrators only: checked in forgetGitHubApp). */
export async function forgetGitHubAppAction(): Promise<void> {
  let target = "/admin/github-app?notice=" + encodeURIComponent("The GitHub App was forgotten. Uninstall it on GitHub too.");
  try {
    const ip = clientIp(await headers(), deps().config.trustedProxies);
    await forgetGitHubApp(deps(), { user: await getCurrentUser(), ip });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    target = "/admin/github-app?error=" + encodeURIComponent(e.message);
  }
  redirect(target);
}
