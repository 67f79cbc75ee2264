// The route keeper's data: the running builds that have a hostname, with their project's slug.
import type { Stage } from "@slipway/domain";
import type { Db } from "../client";

export interface RoutedBuild {
  id: string;
  projectId: string;
  projectSlug: string;
  hostname: string;
  stage: Stage;
  /**
   * The verified custom domains of its branch (main domain first) when it is its branch's newest
   * running build, which carries them (issue 16); empty otherwise.
   */
  domains: string[];
}

/** Running builds with a hostname (all of them, or those of `buildIds` only). */
export async function listRoutedBuilds(db: Db, options: { buildIds?: string[] } = {}): Promise<RoutedBuild[]> {
  const rows = await db.build.findMany({
    where: { state: "running", hostname: { not: null }, ...(options.buildIds ? { id: { in: options.buildIds } } : {}) },
    select: { id: true, projectId: true, branchId: true, number: true, hostname: true, stage: true, project: { select: { slug: true } } },
  });
  const branchIds = [...new Set(rows.map((r) => r.branchId))];
  const newest = new Map<string, number>();
  const domains = new Map<string, string[]>();
  if (branchIds.length > 0) {
    for (const g of await db.build.groupBy({
      by: ["branchId"],
      where: { branchId: { in: branchIds }, state: "running", hostname: { not: null } },
      _max: { number: true },
    })) {
      if (g._max.number !== null) newest.set(g.branchId, g._max.number);
    }
    for (const d of await db.domain.findMany({
      where: { branchId: { in: branchIds }, verifiedAt: { not: null }, branch: { archivedAt: null } },
      select: { branchId: true, hostname: true },
      orderBy: [{ primary: "desc" }, { createdAt: "asc" }],
    })) {
      domains.set(d.branchId, [...(domains.get(d.branchId) ?? []), d.hostname]);
    }
  }
  return rows.flatMap(({ project, hostname, branchId, number, ...b }) =>
    hostname === null
      ? []
      : [{ ...b, hostname, projectSlug: project.slug, domains: newest.get(branchId) === number ? (domains.get(branchId) ?? []) : [] }],
  );
}

/** What the explanatory page of a red build names: its number, hostname, stage and project. */
export interface RedPageBuild {
  id: string;
  number: number;
  projectId: string;
  projectSlug: string;
  hostname: string | null;
  stage: Stage;
}

export async function findRedPageBuild(db: Db, buildId: string): Promise<RedPageBuild | null> {
  const b = await db.build.findUnique({
    where: { id: buildId },
    select: { id: true, number: true, projectId: true, hostname: true, stage: true, project: { select: { slug: true } } },
  });
  return b
    ? { id: b.id, number: b.number, projectId: b.projectId, projectSlug: b.project.slug, hostname: b.hostname, stage: b.stage }
    : null;
}

/**
 * Of these build ids, those whose red page stays: the build failed and is still the newest build of
 * its branch (a newer build, whatever its end, takes the branch's attention; deleted builds go).
 */
export async function redPagesToKeep(db: Db, buildIds: string[]): Promise<Set<string>> {
  if (buildIds.length === 0) return new Set();
  const failed = await db.build.findMany({
    where: { id: { in: buildIds }, state: "failed" },
    select: { id: true, branchId: true, number: true },
  });
  const keep = new Set<string>();
  for (const b of failed) {
    const newer = await db.build.count({ where: { branchId: b.branchId, number: { gt: b.number } } });
    if (newer === 0) keep.add(b.id);
  }
  return keep;
}
