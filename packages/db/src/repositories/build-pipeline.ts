import { buildResourceNames, type BuildContext } from "@slipway/domain";
import type { Db } from "../client";

// The control-plane reads and writes of the build pipelines (development, staging, production):
// the build's context, read once when it starts, and the few facts about other builds a pipeline
// needs (the production build serving now, the staging database to take over...).

/** The context of a build (build, branch settings, project, resource names), read once per run. */
export async function loadBuildContext(db: Db, buildId: string): Promise<BuildContext> {
  const row = await db.build.findUniqueOrThrow({
    where: { id: buildId },
    select: {
      id: true,
      projectId: true,
      branchId: true,
      number: true,
      stage: true,
      revision: true,
      commitMessage: true,
      commitAuthor: true,
      branch: {
        select: {
          id: true,
          name: true,
          pushBehavior: true,
          installMode: true,
          installModules: true,
          testsEnabled: true,
          testTags: true,
          odooVersion: true,
          odooRevision: true,
          headRevision: true,
        },
      },
      project: {
        select: {
          id: true,
          slug: true,
          repoUrl: true,
          odooVersion: true,
          odooImage: true,
          baseDomain: true,
          moduleUpdateRule: true,
          checksumExcludes: true,
        },
      },
    },
  });
  const { branch, project, ...build } = row;
  const names = buildResourceNames({
    project: project.slug,
    branch: branch.name,
    buildNumber: build.number,
    stage: build.stage,
    baseDomain: project.baseDomain,
  });
  return { build, branch, project, names };
}

/** When the project's latest production build finished (a staging copy must not be older). */
export async function latestProductionFinish(db: Db, projectId: string): Promise<Date | null> {
  const latest = await db.build.findFirst({
    where: { projectId, stage: "production", finishedAt: { not: null } },
    orderBy: { finishedAt: "desc" },
    select: { finishedAt: true },
  });
  return latest?.finishedAt ?? null;
}

/** The branch's newest staging builds (running or stopped) that still name a database, newest first. */
export async function stagingBuildsWithDatabase(
  db: Db,
  options: { branchId: string; except: string; take: number },
): Promise<{ id: string; databaseName: string }[]> {
  const rows = await db.build.findMany({
    where: {
      branchId: options.branchId,
      stage: "staging",
      id: { not: options.except },
      state: { in: ["running", "stopped"] },
      databaseName: { not: null },
    },
    orderBy: { number: "desc" },
    take: options.take,
    select: { id: true, databaseName: true },
  });
  return rows.flatMap((r) => (r.databaseName ? [{ id: r.id, databaseName: r.databaseName }] : []));
}

/** A build whose database was taken over by another build no longer names it. */
export async function forgetBuildDatabase(db: Db, buildId: string): Promise<void> {
  await db.build.update({ where: { id: buildId }, data: { databaseName: null } });
}

/** Another production build of the project that started and is still in progress, if any. */
export async function otherProductionBuildInProgress(
  db: Db,
  options: { projectId: string; except: string },
): Promise<{ number: number } | null> {
  return db.build.findFirst({
    where: {
      projectId: options.projectId,
      stage: "production",
      id: { not: options.except },
      inProgressSlot: true,
      startedAt: { not: null },
    },
    select: { number: true },
  });
}

/** The production build serving now (running), newest first. */
export async function servingProductionBuild(
  db: Db,
  options: { projectId: string; except: string },
): Promise<{ id: string; number: number } | null> {
  return db.build.findFirst({
    where: { projectId: options.projectId, stage: "production", state: "running", id: { not: options.except } },
    orderBy: { number: "desc" },
    select: { id: true, number: true },
  });
}

/** Who a build belongs to, and what names its resources (null when the build is gone). */
export async function findBuildOwnership(
  db: Db,
  buildId: string,
): Promise<{ projectId: string; branchId: string; projectSlug: string; stage: BuildContext["build"]["stage"]; number: number } | null> {
  const row = await db.build.findUnique({
    where: { id: buildId },
    select: { projectId: true, branchId: true, number: true, stage: true, project: { select: { slug: true } } },
  });
  return row
    ? { projectId: row.projectId, branchId: row.branchId, projectSlug: row.project.slug, stage: row.stage, number: row.number }
    : null;
}
