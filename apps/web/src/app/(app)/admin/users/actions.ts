"use server";

import { isDomainError } from "@slipway/domain";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { changeUserDisabled, createLocalUser, inviteLocalUser, inviteUrl } from "@/server/users/manage-users";

const text = (form: FormData, name: string, max = 300) => String(form.get(name) ?? "").slice(0, max);

/** What the create form shows after a submission: the typed values back, and the error or the result. */
export interface CreateUserFormState {
  values: { login: string; name: string; email: string; mode: string };
  error?: string;
  created?: { login: string; inviteUrl?: string; inviteExpiresAt?: string };
}

export interface InviteLinkState {
  error?: string;
  link?: { url: string; expiresAt: string };
}

const failureMessage = (e: unknown, what: string) => {
  if (isDomainError(e)) return e.message;
  console.error(`Slipway web: ${what} failed: ${(e as Error).stack ?? e}`);
  return "The change failed (database unreachable?). Try again shortly.";
};

async function requestIp(): Promise<string> {
  return clientIp(await headers(), deps().config.trustedProxies);
}

/** Creates a local user (superusers only: checked in createLocalUser); an invite link is shown once. */
export async function createUserAction(_previous: CreateUserFormState, form: FormData): Promise<CreateUserFormState> {
  const values = { login: text(form, "login", 100), name: text(form, "name"), email: text(form, "email"), mode: text(form, "mode", 20) };
  try {
    const created = await createLocalUser(
      { prisma: deps().prisma },
      { actor: await getCurrentUser(), input: { ...values, password: text(form, "password", 1100) }, ip: await requestIp() },
    );
    revalidatePath("/admin/users");
    return {
      values: { login: "", name: "", email: "", mode: values.mode },
      created: created.invite
        ? {
            login: created.login,
            inviteUrl: inviteUrl(deps().config.web.publicUrl, created.invite.token),
            inviteExpiresAt: created.invite.expiresAt.toISOString(),
          }
        : { login: created.login },
    };
  } catch (e) {
    return { values, error: failureMessage(e, "creating a user") };
  }
}

/** A new one-time link for a local user (replaces the earlier ones). */
export async function inviteUserAction(_previous: InviteLinkState, form: FormData): Promise<InviteLinkState> {
  try {
    const invite = await inviteLocalUser(
      { prisma: deps().prisma },
      { actor: await getCurrentUser(), userId: text(form, "userId", 100), ip: await requestIp() },
    );
    revalidatePath("/admin/users");
    return { link: { url: inviteUrl(deps().config.web.publicUrl, invite.token), expiresAt: invite.expiresAt.toISOString() } };
  } catch (e) {
    return { error: failureMessage(e, "creating an invite link") };
  }
}

/** Disables or enables a user, then back to the list with a notice (plain form). */
export async function setUserDisabledAction(form: FormData): Promise<void> {
  const disabled = form.get("disabled") === "true";
  let query: string;
  try {
    const result = await changeUserDisabled(
      { prisma: deps().prisma },
      { actor: await getCurrentUser(), userId: text(form, "userId", 100), disabled, ip: await requestIp() },
    );
    query = `notice=${encodeURIComponent(`${result.login} ${disabled ? "disabled" : "enabled"}.`)}`;
  } catch (e) {
    query = `error=${encodeURIComponent(failureMessage(e, "changing a user"))}`;
  }
  redirect(`/admin/users?${query}`);
}
