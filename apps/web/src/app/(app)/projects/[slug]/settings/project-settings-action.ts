"use server";

import { isDomainError } from "@slipway/domain";
import { resolveHostAddresses } from "@slipway/git";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { updateProjectSettings, type ProjectSettingsInput } from "@/server/projects/update-project-settings";

export interface ProjectSettingsFormState {
  values: ProjectSettingsInput;
  /** Per field; `form` for a refusal of the whole form. */
  errors: Partial<Record<keyof ProjectSettingsInput | "form", string>>;
  notice?: string;
  submission: number;
}

const text = (form: FormData, name: string, max: number) => String(form.get(name) ?? "").slice(0, max);

/** Saves the Project card of the Settings page; the typed values come back with a refusal. */
export async function saveProjectSettingsAction(previous: ProjectSettingsFormState, form: FormData): Promise<ProjectSettingsFormState> {
  const submission = previous.submission + 1;
  const values: ProjectSettingsInput = {
    name: text(form, "name", 200),
    publicAccess: form.get("publicAccess") === "on",
    odooVersion: text(form, "odooVersion", 20),
    odooImage: text(form, "odooImage", 300),
    repoUrl: text(form, "repoUrl", 1000),
  };
  const slug = text(form, "slug", 100);
  const d = deps();
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user: await getCurrentUser(), slug });
    const result = await updateProjectSettings(
      { prisma: d.prisma, policy: { ...d.config.projects, resolveHost: resolveHostAddresses } },
      { access, input: values, ip: clientIp(await headers(), d.config.trustedProxies) },
    );
    if (!result.ok) return { values, errors: result.errors, submission };
    revalidatePath(`/projects/${slug}`, "layout");
    const notice =
      result.changed.length === 0 ? "Nothing changed." : "Settings saved. Future builds use them; existing builds keep theirs.";
    return { values, errors: {}, notice, submission };
  } catch (e) {
    if (isDomainError(e)) return { values, errors: { form: e.message }, submission };
    console.error(`Slipway web: project settings change failed: ${(e as Error).stack ?? e}`);
    return { values, errors: { form: "The change failed (database unreachable?). Try again shortly." }, submission };
  }
}
