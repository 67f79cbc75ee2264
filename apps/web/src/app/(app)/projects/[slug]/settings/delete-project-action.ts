"use server";

import { isDomainError } from "@slipway/domain";
import { enqueue } from "@slipway/queue";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { deleteProject } from "@/server/projects/delete-project";

export interface DeleteProjectState {
  error?: string;
}

const input = z.object({ slug: z.string().min(1).max(100), confirmation: z.string().max(100) });

/** Deletes the project (typed confirmation), then to the projects list, where it is gone. */
export async function deleteProjectAction(_previous: DeleteProjectState, form: FormData): Promise<DeleteProjectState> {
  const parsed = input.safeParse({ slug: String(form.get("slug") ?? ""), confirmation: String(form.get("confirmation") ?? "") });
  if (!parsed.success) return { error: "Type the project's name to confirm." };
  const { slug, confirmation } = parsed.data;
  const d = deps();
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in first." };
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    await deleteProject(
      { prisma: d.prisma, enqueueDelete: (projectId) => enqueue(d.queues, "project.delete", { projectId }).then(() => undefined) },
      { access, confirmation, actor: user, ip: clientIp(await headers(), d.config.trustedProxies) },
    );
  } catch (e) {
    if (isDomainError(e)) return { error: e.message };
    console.error(`Slipway web: project deletion failed: ${(e as Error).stack ?? e}`);
    return { error: "The request failed (database or Redis unreachable?). Try again shortly." };
  }
  revalidatePath("/projects");
  redirect("/projects");
}
