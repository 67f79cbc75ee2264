"use server";

import { DomainError, isDomainError } from "@slipway/domain";
import { enqueue, publishProjectNotice } from "@slipway/queue";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { loadProjectAccess, type ProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { cancelBuild } from "@/server/builds/cancel-build";
import { rebuildRevision, requestBranchBuild } from "@/server/builds/rebuild-branch";
import { deps } from "@/server/deps";

export interface BuildActionState {
  error?: string;
  message?: string;
}

const text = (form: FormData, name: string) => String(form.get(name) ?? "").slice(0, 200);

/** Runs a branch/build action for the signed-in user; a refusal becomes a message, never a crash page. */
async function run(
  form: FormData,
  act: (ctx: { access: ProjectAccess; userId: string | null }) => Promise<string>,
): Promise<BuildActionState> {
  // Anonymous visitors of a public project get the matrix's refusal, not a crash.
  const user = await getCurrentUser();
  const slug = text(form, "slug");
  const d = deps();
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    const message = await act({ access, userId: user?.id ?? null });
    revalidatePath(`/projects/${slug}`, "layout");
    return { message };
  } catch (e) {
    if (isDomainError(e)) return { error: e.message };
    console.error(`Slipway web: build action failed: ${(e as Error).stack ?? e}`);
    return { error: "The request failed (database or Redis unreachable?). Try again shortly." };
  }
}

function notifier() {
  const d = deps();
  return (notice: { projectId: string; buildId: string }) => publishProjectNotice(d.redis, { ...notice, kind: "build" });
}

/** Rebuild / Build now: the worker reads the branch head in the repository and builds it. */
export async function rebuildAction(_previous: BuildActionState, form: FormData): Promise<BuildActionState> {
  return run(form, async ({ access, userId }) => {
    const d = deps();
    const ip = clientIp(await headers(), d.config.trustedProxies);
    const requested = await requestBranchBuild(
      { prisma: d.prisma, enqueueBranchBuild: (job) => enqueue(d.queues, "branch.build", job).then(() => undefined) },
      { access, branchId: text(form, "branchId"), actorId: userId, ip },
    );
    return `Build of ${requested.branch} requested: reading its head in the repository…`;
  });
}

const revisionField = z.string().regex(/^[0-9a-f]{40}$/, { error: "Not a revision." });

/** "Rebuild this revision" (a build page): a new build of exactly that commit. */
export async function rebuildRevisionAction(_previous: BuildActionState, form: FormData): Promise<BuildActionState> {
  return run(form, async ({ access, userId }) => {
    const d = deps();
    const revision = revisionField.safeParse(text(form, "revision"));
    if (!revision.success) throw new DomainError("invalid_input", "Not a revision.");
    const build = await rebuildRevision(
      { prisma: d.prisma, enqueueBuild: d.enqueueBuild, notify: notifier() },
      { access, branchId: text(form, "branchId"), revision: revision.data, actorId: userId },
    );
    return `Build #${build.number} queued.`;
  });
}

export async function cancelAction(_previous: BuildActionState, form: FormData): Promise<BuildActionState> {
  return run(form, async ({ access, userId }) => {
    const d = deps();
    await cancelBuild(
      {
        prisma: d.prisma,
        enqueueCancel: (buildId) => enqueue(d.queues, "build.cancel", { buildId }).then(() => undefined),
        notify: notifier(),
      },
      { access, buildId: text(form, "buildId"), actorId: userId },
    );
    return "Cancel requested.";
  });
}
