// Read models of the project pages (Branches, Builds, build page), with explicit selects so pages
// never receive secrets (webhook secret, deploy key, tokens).
import type { Prisma, PrismaClient } from "../generated/prisma/client";

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

export type ProjectSummary = Prisma.ProjectGetPayload<{ select: typeof projectSelect }>;

/** A project as a signed-in user sees it, with their collaborator role (null when not one). */
export async function findProjectForViewer(
  prisma: PrismaClient,
  { slug, userId }: { slug: string; userId: string },
): Promise<{ project: ProjectSummary; role: "admin" | "tester" | "developer" | null } | null> {
  const row = await prisma.project.findUnique({
    where: { slug },
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

export type BuildCell = Prisma.BuildGetPayload<{ select: typeof buildCellSelect }>;

export interface BranchRow {
  id: string;
  name: string;
  stage: "production" | "staging" | "development";
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
  prisma: PrismaClient,
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

/** Branches per stage (production, staging, development), each with its last build. */
export async function listBranchesByStage(
  prisma: PrismaClient,
  { projectId }: { projectId: string },
): Promise<Record<BranchRow["stage"], BranchRow[]>> {
  const rows = await listBranchRows(prisma, { projectId, buildsPerBranch: 1 });
  const byStage: Record<BranchRow["stage"], BranchRow[]> = { production: [], staging: [], development: [] };
  for (const row of rows) byStage[row.stage].push(row);
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
    select: { id: true, name: true, position: true, state: true, startedAt: true, finishedAt: true, error: true, logFile: true },
    orderBy: { position: "asc" },
  },
} as const satisfies Prisma.BuildSelect;

export type BuildDetail = Prisma.BuildGetPayload<{ select: typeof buildDetailSelect }>;

export function findBuildByNumber(
  prisma: PrismaClient,
  { projectId, number }: { projectId: string; number: number },
): Promise<BuildDetail | null> {
  return prisma.build.findUnique({ where: { projectId_number: { projectId, number } }, select: buildDetailSelect });
}

/** A build of a project by id (actions receive ids from forms: always scoped to the project). */
export function findProjectBuild(prisma: PrismaClient, { projectId, buildId }: { projectId: string; buildId: string }) {
  return prisma.build.findFirst({
    where: { id: buildId, projectId },
    select: { id: true, number: true, stage: true, state: true, hostname: true, databaseName: true, branchId: true },
  });
}

/** A non-archived branch of a project by id, with its in-progress builds' states. */
export function findProjectBranch(prisma: PrismaClient, { projectId, branchId }: { projectId: string; branchId: string }) {
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
export function findCommitOfRevision(prisma: PrismaClient, { branchId, revision }: { branchId: string; revision: string }) {
  return prisma.build.findFirst({
    where: { branchId, revision },
    orderBy: { number: "desc" },
    select: { commitMessage: true, commitAuthor: true },
  });
}

/** The encrypted webhook secret of a project, for its admins' webhook setup panel only. */
export async function findWebhookSecretEnc(prisma: PrismaClient, { projectId }: { projectId: string }): Promise<string | null> {
  const row = await prisma.project.findUnique({ where: { id: projectId }, select: { webhookSecretEnc: true } });
  return row?.webhookSecretEnc ?? null;
}
