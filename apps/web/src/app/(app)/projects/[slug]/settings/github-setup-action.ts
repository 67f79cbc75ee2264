"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { addSubmodule, removeSubmodule, verifyGitHubSetup, type GitHubSetupDeps } from "@/server/projects/github-setup";

// The "GitHub key and webhook" and "Submodules" cards (admins only: checked in the use cases).

function setupDeps(): GitHubSetupDeps {
  const d = deps();
  return { prisma: d.prisma, config: d.config, publicUrl: d.config.web.publicUrl };
}

async function run(
  form: FormData,
  act: (input: { access: Awaited<ReturnType<typeof loadProjectAccess>>; ip: string | null }) => Promise<{ ok: boolean; message: string }>,
) {
  const slug = String(form.get("slug") ?? "").slice(0, 100);
  const d = deps();
  let query: string;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user: await getCurrentUser(), slug });
    const result = await act({ access, ip: clientIp(await headers(), d.config.trustedProxies) });
    query = `${result.ok ? "notice" : "error"}=${encodeURIComponent(result.message)}`;
  } catch (e) {
    if (!isDomainError(e)) console.error(`Slipway web: GitHub set-up action failed: ${(e as Error).stack ?? e}`);
    query = `error=${encodeURIComponent(isDomainError(e) ? e.message : "The action failed (database or GitHub unreachable?). Try again shortly.")}`;
  }
  redirect(`/projects/${encodeURIComponent(slug)}/settings?${query}#github`);
}

export async function verifyDeployKeyAction(form: FormData): Promise<void> {
  await run(form, ({ access, ip }) => verifyGitHubSetup(setupDeps(), { access, what: "deploy-key", ip }));
}

export async function verifyWebhookAction(form: FormData): Promise<void> {
  await run(form, ({ access, ip }) => verifyGitHubSetup(setupDeps(), { access, what: "webhook", ip }));
}

export async function addSubmoduleAction(form: FormData): Promise<void> {
  const url = String(form.get("url") ?? "").slice(0, 300);
  await run(form, async ({ access, ip }) => ({ ok: true, message: await addSubmodule(setupDeps(), { access, url, ip }) }));
}

export async function removeSubmoduleAction(form: FormData): Promise<void> {
  const id = String(form.get("id") ?? "").slice(0, 100);
  await run(form, async ({ access, ip }) => ({ ok: true, message: await removeSubmodule(setupDeps(), { access, id, ip }) }));
}
