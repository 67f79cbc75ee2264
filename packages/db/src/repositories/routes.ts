// The route keeper's data: the running builds that have a hostname, with their project's slug.
import type { Stage } from "@slipway/domain";
import type { Db } from "../client";

export interface RoutedBuild {
  id: string;
  projectId: string;
  projectSlug: string;
  hostname: string;
  stage: Stage;
}

/** Running builds with a hostname (all of them, or those of `buildIds` only). */
export async function listRoutedBuilds(db: Db, options: { buildIds?: string[] } = {}): Promise<RoutedBuild[]> {
  const rows = await db.build.findMany({
    where: { state: "running", hostname: { not: null }, ...(options.buildIds ? { id: { in: options.buildIds } } : {}) },
    select: { id: true, projectId: true, hostname: true, stage: true, project: { select: { slug: true } } },
  });
  return rows.flatMap(({ project, hostname, ...b }) => (hostname === null ? [] : [{ ...b, hostname, projectSlug: project.slug }]));
}
