"use server";

import { isDomainError } from "@slipway/domain";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { loadProjectAccess } from "@/server/access";
import { requireUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { parseBranchSettingsForm, updateBranchSettings } from "@/server/branches/update-branch-settings";
import { deps } from "@/server/deps";

export interface BranchSettingsFormState {
  /** Counts submissions (the panel shows the newest answer). */
  submission: number;
  notice?: string;
  error?: string;
}

/**
 * Saves the branch's Settings tab. The form carries the project and branch names; the role check
 * (Settings × the branch's stage), the validation and the audit happen in updateBranchSettings.
 */
export async function saveBranchSettingsAction(previous: BranchSettingsFormState, form: FormData): Promise<BranchSettingsFormState> {
  const submission = previous.submission + 1;
  const user = await requireUser();
  const slug = String(form.get("slug") ?? "").slice(0, 100);
  const branchName = String(form.get("branch") ?? "").slice(0, 250);
  const d = deps();
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    const input = parseBranchSettingsForm(Object.fromEntries(form.entries()));
    const { changed } = await updateBranchSettings(
      { prisma: d.prisma, policy: d.config.projects },
      { access, branchName, input, actor: { id: user.id, login: user.login }, ip: clientIp(await headers(), d.config.trustedProxies) },
    );
    revalidatePath(`/projects/${slug}/branches/${encodeURIComponent(branchName)}`, "layout");
    return {
      submission,
      notice: changed.length === 0 ? "Nothing changed." : "Settings saved. The next build of this branch uses them.",
    };
  } catch (e) {
    if (isDomainError(e)) return { submission, error: e.message };
    console.error(`Slipway web: branch settings change failed: ${(e as Error).stack ?? e}`);
    return { submission, error: "The settings could not be saved (database unreachable?). Try again shortly." };
  }
}
