"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { requireUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { addUserSshKey, removeUserSshKey } from "@/server/profile/ssh-keys";

/**
 * Runs a change of the signed-in user's own profile and comes back to it with a notice or the
 * refusal's message (plain forms: works without JavaScript). `keep`: the typed values sent back
 * with a refusal, so a pasted key is not lost.
 */
async function run(act: (ctx: { user: { id: string }; ip: string }) => Promise<string>, keep: Record<string, string> = {}): Promise<never> {
  const user = await requireUser();
  const d = deps();
  let query: URLSearchParams;
  try {
    query = new URLSearchParams({ notice: await act({ user, ip: clientIp(await headers(), d.config.trustedProxies) }) });
  } catch (e) {
    if (!isDomainError(e)) {
      console.error(`Slipway web: profile change failed: ${(e as Error).stack ?? e}`);
      query = new URLSearchParams({ error: "The change failed (database unreachable?). Try again shortly.", ...keep });
    } else query = new URLSearchParams({ error: e.message, ...keep });
  }
  redirect(`/profile?${query.toString()}#ssh-keys`);
}

const text = (form: FormData, name: string, max: number) => String(form.get(name) ?? "").slice(0, max);

export async function addSshKeyAction(form: FormData): Promise<void> {
  const title = text(form, "title", 100);
  const key = text(form, "key", 9000);
  await run(
    async ({ user, ip }) => {
      const added = await addUserSshKey({ prisma: deps().prisma }, { user, title, key, ip });
      return `Key "${added.title}" added (${added.fingerprint}).`;
    },
    { title, key: key.slice(0, 4000) },
  );
}

export async function removeSshKeyAction(form: FormData): Promise<void> {
  await run(async ({ user, ip }) => {
    const removed = await removeUserSshKey({ prisma: deps().prisma }, { user, keyId: text(form, "keyId", 100), ip });
    return `Key "${removed.title}" removed.`;
  });
}
