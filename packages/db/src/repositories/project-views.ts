// Read models of the project pages (Branches, Builds, build page), with explicit selects so pages
// never receive secrets (webhook secret, deploy key, tokens).
import { isInProgress, type BuildResult, type BuildState, type Role, type Stage } from "@slipway/domain";
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";

const projectSelect = {
  id: true,
  slug: true,
  name: true,
  repoUrl: true,
  repoKind: true,
  odooVersion: true,
  odooImage: true,
  baseDomain: true,
  publicAccess: true,
  createdAt: true,
} as const satisfies Prisma.ProjectSelect;

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
  repoUrl: string;
  /** "github" or "generic". */
  repoKind: string;
  odooVersion: string;
  odooImage: string;
  baseDomain: string;
  publicAccess: boolean;
  createdAt: Date;
}

/** A project as a signed-in user sees it, with their collaborator role (null when not one). */
export async function findProjectForViewer(
  prisma: Db,
  { slug, userId }: { slug: string; userId: string },
): Promise<{ project: ProjectSummary; role: Role | null } | null> {
  const row = await prisma.project.findFirst({
    where: { slug, deletingAt: null },
    select: { ...projectSelect, collaborators: { where: { userId }, select: { role: true }, take: 1 } },
  });
  if (!row) return null;
  const { collaborators, ...project } = row;
  return { project, role: collaborators[0]?.role ?? null };
}

const buildCellSelect = {
  id: true,
  number: true,
  stage: true,
  state: true,
  result: true,
  revision: true,
  commitMessage: true,
  createdAt: true,
  cancelRequestedAt: true,
} as const satisfies Prisma.BuildSelect;

/** One build as the Branches and Builds views show it. */
export interface BuildCell {
  id: string;
  number: number;
  stage: Stage;
  state: BuildState;
  result: BuildResult | null;
  revision: string;
  commitMessage: string | null;
  createdAt: Date;
  cancelRequestedAt: Date | null;
}

export interface BranchRow {
  id: string;
  name: string;
  stage: Stage;
  headRevision: string | null;
  /** Newest first. */
  builds: BuildCell[];
}

/**
 * Non-archived branches with their newest builds: production first, then by last build (newest
 * first; branches without builds last, by name). `search` keeps branches whose name or one of
 * whose shown builds' commit message contains it (case-insensitive).
 */
export async function listBranchRows(
  prisma: Db,
  { projectId, search, buildsPerBranch = 10 }: { projectId: string; search?: string; buildsPerBranch?: number },
): Promise<BranchRow[]> {
  const q = search?.trim();
  const where: Prisma.BranchWhereInput = { projectId, archivedAt: null };
  if (q) {
    where.OR = [
      { name: { contains: q, mode: "insensitive" } },
      { builds: { some: { commitMessage: { contains: q, mode: "insensitive" } } } },
    ];
  }
  const rows = await prisma.branch.findMany({
    where,
    select: {
      id: true,
      name: true,
      stage: true,
      headRevision: true,
      builds: { select: buildCellSelect, orderBy: { number: "desc" }, take: buildsPerBranch },
    },
  });
  const lastBuildAt = (r: BranchRow) => r.builds[0]?.createdAt.getTime() ?? -Infinity;
  return rows.sort((a, b) => {
    const prod = Number(a.stage !== "production") - Number(b.stage !== "production");
    if (prod !== 0) return prod;
    const [ta, tb] = [lastBuildAt(a), lastBuildAt(b)];
    // Only the sign matters, so ±Infinity (a branch without builds) sorts it last.
    if (ta !== tb) return tb - ta;
    return a.name.localeCompare(b.name);
  });
}

/**
 * Branches per stage (production, staging, development), each with its last build of its current
 * stage: after a stage move the older stage's builds (a development build with demo data under
 * Production) are not the branch's current build; a branch without one shows none. A build still
 * in progress is shown whatever its stage (the new stage's build follows when it ends).
 */
export async function listBranchesByStage(
  prisma: Db,
  { projectId }: { projectId: string },
): Promise<Record<BranchRow["stage"], BranchRow[]>> {
  const rows = await listBranchRows(prisma, { projectId, buildsPerBranch: 1 });
  const shown = (row: BranchRow, build: BuildCell | undefined) => !!build && (build.stage === row.stage || isInProgress(build.state));
  const stale = rows.filter((r) => r.builds[0] && !shown(r, r.builds[0]));
  const current = new Map<string, BuildCell>();
  for (const stage of ["production", "staging", "development"] as const) {
    const ids = stale.filter((r) => r.stage === stage).map((r) => r.id);
    if (ids.length === 0) continue;
    const builds = await prisma.build.findMany({
      where: { branchId: { in: ids }, stage },
      orderBy: [{ branchId: "asc" }, { number: "desc" }],
      distinct: ["branchId"],
      select: { ...buildCellSelect, branchId: true },
    });
    for (const { branchId, ...build } of builds) current.set(branchId, build);
  }
  const byStage: Record<BranchRow["stage"], BranchRow[]> = { production: [], staging: [], development: [] };
  for (const row of rows) {
    const own = shown(row, row.builds[0]) ? row.builds[0] : current.get(row.id);
    byStage[row.stage].push({ ...row, builds: own ? [own] : [] });
  }
  for (const list of Object.values(byStage)) list.sort((a, b) => a.name.localeCompare(b.name));
  return byStage;
}

const buildDetailSelect = {
  ...buildCellSelect,
  projectId: true,
  branchId: true,
  commitAuthor: true,
  failureReason: true,
  offendingLines: true,
  hostname: true,
  databaseName: true,
  startedAt: true,
  finishedAt: true,
  stoppedAt: true,
  branch: { select: { id: true, name: true, stage: true, archivedAt: true } },
  steps: {
    select: {
      id: true,
      name: true,
      position: true,
      state: true,
      startedAt: true,
      finishedAt: true,
      error: true,
      logFile: true,
      detail: true,
    },
    orderBy: { position: "asc" },
  },
} as const satisfies Prisma.BuildSelect;

/** The build page: the build, its branch and its steps in order. */
export interface BuildDetail extends BuildCell {
  projectId: string;
  branchId: string;
  commitAuthor: string | null;
  failureReason: string | null;
  /** The stored JSON list of offending log lines (the page reads it defensively). */
  offendingLines: unknown;
  hostname: string | null;
  databaseName: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  stoppedAt: Date | null;
  branch: { id: string; name: string; stage: Stage; archivedAt: Date | null };
  steps: {
    id: string;
    name: string;
    position: number;
    state: "pending" | "running" | "succeeded" | "failed" | "skipped";
    startedAt: Date | null;
    finishedAt: Date | null;
    error: string | null;
    logFile: string | null;
    /** The Odoo command line the step ran, as recorded by the worker (install: modules, test tags); null if none. */
    command: string | null;
    /** The Odoo image the build started from (recorded by the dependencies step); null elsewhere. */
    image: string | null;
    /** How a staging copy was made (ADR 0009: clone, or the pg_dump fallback and why); null elsewhere. */
    copyMode: string | null;
  }[];
}

export async function findBuildByNumber(
  prisma: Db,
  { projectId, number }: { projectId: string; number: number },
): Promise<BuildDetail | null> {
  const row = await prisma.build.findUnique({ where: { projectId_number: { projectId, number } }, select: buildDetailSelect });
  if (!row) return null;
  return { ...row, steps: row.steps.map(({ detail, ...step }) => ({ ...step, ...recordedRun(detail) })) };
}

/** The command line and image a step's detail (JSON written by the worker's step layer) recorded. */
function recordedRun(detail: unknown): { command: string | null; image: string | null; copyMode: string | null } {
  const d = (detail ?? {}) as { command?: unknown; baseImage?: unknown };
  const command = Array.isArray(d.command) && d.command.every((a) => typeof a === "string") ? (d.command as string[]).join(" ") : null;
  return { command, image: typeof d.baseImage === "string" ? d.baseImage : null, copyMode: copyModeText(detail) };
}

/** The copy step's mode in words (staging builds). */
function copyModeText(detail: unknown): string | null {
  const d = (detail ?? {}) as {
    mode?: unknown;
    copyMode?: unknown;
    cloneFallback?: unknown;
    filestoreMode?: unknown;
    clone?: { totalMs?: unknown; catchUpMs?: unknown; lagBytes?: unknown };
  };
  if (d.mode !== "copy") return null;
  const files = typeof d.filestoreMode === "string" ? `; filestore: ${d.filestoreMode}` : "";
  if (d.copyMode === "clone") {
    const ms = typeof d.clone?.totalMs === "number" ? ` in ${(d.clone.totalMs / 1000).toFixed(1)} s` : "";
    // A standby that lagged (a bulk load in production) was waited for: said, with how far behind it was.
    const c = d.clone ?? {};
    const waited =
      typeof c.catchUpMs === "number" && c.catchUpMs >= 1_000 && typeof c.lagBytes === "number"
        ? `, after waiting ${(c.catchUpMs / 1000).toFixed(1)} s for the standby (${(c.lagBytes / 1024 ** 2).toFixed(0)} MB behind)`
        : "";
    return `Database: snapshot of production's standby (clone)${ms}${waited}${files}`;
  }
  const how = d.copyMode === "template" ? "template copy of the staging source" : "pg_dump | pg_restore";
  const why = typeof d.cloneFallback === "string" ? ` (fallback: ${d.cloneFallback})` : "";
  return `Database: ${how}${why}${files}`;
}

/** The id of a project's build by its number (URLs carry numbers). */
export async function findBuildIdByNumber(db: Db, { projectId, number }: { projectId: string; number: number }): Promise<string | null> {
  const row = await db.build.findUnique({ where: { projectId_number: { projectId, number } }, select: { id: true } });
  return row?.id ?? null;
}

/** What actions and tools need of a build. */
export interface ProjectBuildRef {
  id: string;
  number: number;
  stage: Stage;
  state: BuildState;
  hostname: string | null;
  databaseName: string | null;
  branchId: string;
}

/** A build of a project by id (actions receive ids from forms: always scoped to the project). */
export function findProjectBuild(
  prisma: Db,
  { projectId, buildId }: { projectId: string; buildId: string },
): Promise<ProjectBuildRef | null> {
  return prisma.build.findFirst({
    where: { id: buildId, projectId },
    select: { id: true, number: true, stage: true, state: true, hostname: true, databaseName: true, branchId: true },
  });
}

/** A non-archived branch of a project by id, with its in-progress builds' states. */
export function findProjectBranch(prisma: Db, { projectId, branchId }: { projectId: string; branchId: string }) {
  return prisma.branch.findFirst({
    where: { id: branchId, projectId, archivedAt: null },
    select: {
      id: true,
      name: true,
      stage: true,
      headRevision: true,
      builds: { where: { inProgressSlot: true }, select: { state: true } },
    },
  });
}

/** The newest build's commit message and author for a revision, reused by a rebuild. */
export function findCommitOfRevision(prisma: Db, { branchId, revision }: { branchId: string; revision: string }) {
  return prisma.build.findFirst({
    where: { branchId, revision },
    orderBy: { number: "desc" },
    select: { commitMessage: true, commitAuthor: true },
  });
}

/** The encrypted webhook secret of a project, for its admins' webhook setup panel only. */
export async function findWebhookSecretEnc(prisma: Db, { projectId }: { projectId: string }): Promise<string | null> {
  const row = await prisma.project.findUnique({ where: { id: projectId }, select: { webhookSecretEnc: true } });
  return row?.webhookSecretEnc ?? null;
}
