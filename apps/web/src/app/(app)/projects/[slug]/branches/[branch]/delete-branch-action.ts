"use server";

import { isDomainError } from "@slipway/domain";
import { enqueue, publishProjectNotice } from "@slipway/queue";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deleteBranch } from "@/server/branches/delete-branch";
import { deps } from "@/server/deps";

export interface DeleteBranchState {
  error?: string;
}

const input = z.object({
  slug: z.string().min(1).max(100),
  branch: z.string().min(1).max(255),
  confirmation: z.string().max(255),
});

/** Deletes a branch (typed confirmation), then back to the project's board, where it is gone. */
export async function deleteBranchAction(_previous: DeleteBranchState, form: FormData): Promise<DeleteBranchState> {
  const parsed = input.safeParse(Object.fromEntries(["slug", "branch", "confirmation"].map((k) => [k, String(form.get(k) ?? "")])));
  if (!parsed.success) return { error: "Type the branch name to confirm." };
  const { slug, branch, confirmation } = parsed.data;
  const d = deps();
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in first." };
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    await deleteBranch(
      {
        prisma: d.prisma,
        enqueueDelete: (branchId) => enqueue(d.queues, "branch.delete", { branchId }).then(() => undefined),
        notify: (notice) => publishProjectNotice(d.redis, { ...notice, kind: "branch" }),
      },
      { access, branchName: branch, confirmation, actor: user, ip: clientIp(await headers(), d.config.trustedProxies) },
    );
  } catch (e) {
    if (isDomainError(e)) return { error: e.message };
    console.error(`Slipway web: branch deletion failed: ${(e as Error).stack ?? e}`);
    return { error: "The request failed (database or Redis unreachable?). Try again shortly." };
  }
  revalidatePath(`/projects/${slug}`, "layout");
  redirect(`/projects/${encodeURIComponent(slug)}`);
}
