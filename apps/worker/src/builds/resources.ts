import { findBuildOwnership } from "@slipway/db";
import { buildOwnsDatabase, DomainError, volumeName } from "@slipway/domain";
import { killContainer, listContainers, removeContainer, removeVolume } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import { dropStagingClone, stopStagingClone } from "../odoo/staging-clones";
import { dropDatabase } from "../postgres";
import { redPageRouteId, routeIdForBuild } from "../proxy/caddy";

/** Labels every Docker resource of a build carries (org.slipway.project/.branch/.build). */
export function buildLabels({
  project,
  branch,
  build,
}: {
  project: { id: string };
  branch: { id: string };
  build: { id: string };
}): Record<string, string> {
  return { project: project.id, branch: branch.id, build: build.id };
}

/** Removes a build's containers (all, or of one role) and the given volumes. Idempotent. */
export async function removeBuildResources(options: {
  deps: WorkerDeps;
  buildId: string;
  containers: boolean;
  role?: string;
  volumes: string[];
}): Promise<void> {
  const { deps, buildId } = options;
  if (options.containers) {
    const selector: Record<string, string> = { build: buildId };
    if (options.role) selector.role = options.role;
    for (const c of await listContainers({ docker: deps.docker, labels: selector, all: true })) {
      await removeContainer({ docker: deps.docker, id: c.id, force: true }).catch(() => undefined);
    }
  }
  for (const v of options.volumes) await removeVolume({ docker: deps.docker, name: v }).catch(() => undefined);
}

/** Kills a build's running step containers: the current step then ends and the pipeline sees why. */
export async function killBuildContainers(deps: WorkerDeps, buildId: string): Promise<number> {
  const running = await listContainers({ docker: deps.docker, labels: { build: buildId }, all: false });
  for (const c of running) await killContainer({ docker: deps.docker, id: c.id }).catch(() => undefined);
  return running.length;
}

/**
 * Everything a build owns outside the control-plane database: route (or red page), containers, database and its
 * data volume. `keepData` stops a build but keeps its database (older development builds).
 */
export async function releaseBuild(options: {
  deps: WorkerDeps;
  build: { id: string; databaseName: string | null };
  keepData: boolean;
}): Promise<void> {
  const { deps, build } = options;
  await deps.caddy
    .removeRoute(routeIdForBuild(build.id))
    .catch((e) => deps.logger.warn({ err: String(e), buildId: build.id }, "could not remove the route"));
  await deps.caddy
    .removeRoute(redPageRouteId(build.id))
    .catch((e) => deps.logger.warn({ err: String(e), buildId: build.id }, "could not remove the red build page"));
  await removeBuildResources({ deps, buildId: build.id, containers: true, volumes: [] });
  // A staging database in its own cluster (ADR 0009): stopped with the build, removed with its data.
  if (options.keepData && build.databaseName) await stopStagingClone(deps, build.databaseName);
  if (!options.keepData && build.databaseName) {
    // Drops only a database this build owns by name (C6): never another project's, whatever the row says.
    const row = await findBuildOwnership(deps.prisma, build.id);
    if (!row || !buildOwnsDatabase({ project: row.projectSlug, stage: row.stage, buildNumber: row.number, database: build.databaseName })) {
      throw new DomainError("invalid_state", `build ${build.id} does not own database ${build.databaseName}: not dropped`);
    }
    const pg = await deps.postgres();
    await dropStagingClone(deps, build.databaseName);
    await dropDatabase({ pg, name: build.databaseName });
    await removeVolume({ docker: deps.docker, name: volumeName({ databaseName: build.databaseName }) }).catch(() => undefined);
  }
}
