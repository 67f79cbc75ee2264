// A red build whose server could not start (an install that failed, code that does not load) has no
// Odoo to route to: its hostname answers an explanatory page instead of the catch-all 404 — why it
// is red and a link to the build in the control panel (issue 14, red builds). Production is left
// out: its hostname is the project's, still served by the production build before it.
import { findKnownBuildIds, findRedPageBuild, redPagesToKeep } from "@slipway/db";
import type { WorkerDeps } from "../deps";
import { RED_PAGE_PREFIX, redBuildPage, redPageRouteId } from "../proxy/caddy";

/** The panel's page of a build. */
export function buildPageUrl(publicUrl: string, build: { projectSlug: string; number: number }): string {
  return `${publicUrl.replace(/\/+$/, "")}/projects/${encodeURIComponent(build.projectSlug)}/builds/${build.number}`;
}

/** The first offending record that is an error (not a warning), else the first one. */
function firstError(offending: readonly { level: string; text: string }[]): string | null {
  return (offending.find((o) => !/^WARN/.test(o.level)) ?? offending[0])?.text ?? null;
}

/**
 * Puts the red page at the build's hostname. Never fails the build's end: a page that cannot be
 * shown is logged (the build page says the same).
 */
export async function showRedBuildPage(
  deps: Pick<WorkerDeps, "prisma" | "caddy" | "config" | "logger">,
  buildId: string,
  failure: { reason: string; offending?: readonly { level: string; text: string }[] },
): Promise<boolean> {
  try {
    const build = await findRedPageBuild(deps.prisma, buildId);
    if (!build?.hostname || build.stage === "production") return false;
    const html = redBuildPage({
      buildNumber: build.number,
      reason: failure.reason,
      firstError: firstError(failure.offending ?? []),
      buildPageUrl: buildPageUrl(deps.config.web.publicUrl, build),
    });
    await deps.caddy.upsertRedPageRoute({ id: redPageRouteId(build.id), projectId: build.projectId, hosts: [build.hostname] }, html);
    return true;
  } catch (e) {
    deps.logger.warn({ buildId, err: (e as Error).message }, "could not show the red build page");
    return false;
  }
}

/**
 * Red pages of this control plane's builds that no longer need one go (reconcile): a newer build of
 * the branch exists, or the build no longer failed. Pages of builds it does not know belong to
 * another Slipway sharing Caddy: never touched (a deleted build's page goes with releaseBuild).
 * Returns how many were removed.
 */
export async function removeStaleRedPages(deps: Pick<WorkerDeps, "prisma" | "caddy">): Promise<number> {
  const ids = (await deps.caddy.redPageRouteIds()).map((r) => r.slice(RED_PAGE_PREFIX.length)).filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const known = await findKnownBuildIds(deps.prisma, ids);
  const keep = await redPagesToKeep(deps.prisma, ids);
  let removed = 0;
  for (const id of ids) {
    if (!known.has(id) || keep.has(id)) continue;
    await deps.caddy.removeRoute(redPageRouteId(id));
    removed++;
  }
  return removed;
}
