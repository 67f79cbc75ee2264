import { DomainError } from "@slipway/domain";
import type { Db } from "../client";
import { isUniqueViolation } from "./errors";

export interface NewProject {
  slug: string;
  name: string;
  repoUrl: string;
  repoKind: "github" | "generic";
  githubOwner?: string;
  githubRepo?: string;
  odooVersion: string;
  odooImage: string;
  baseDomain: string;
  webhookSecretEnc: string;
  /** The creator becomes the project's first admin. */
  creatorId: string;
}

/** A project as the apps see it: its settings, never the generated row type. */
export interface ProjectRecord {
  id: string;
  slug: string;
  name: string;
  repoUrl: string;
  repoKind: string;
  githubOwner: string | null;
  githubRepo: string | null;
  odooVersion: string;
  odooImage: string;
  baseDomain: string;
  /** Encrypted at rest; decrypted only to check a webhook signature. */
  webhookSecretEnc: string;
  publicAccess: boolean;
  moduleUpdateRule: "manifest_version" | "checksum";
  checksumExcludes: string[];
  createdAt: Date;
  updatedAt: Date;
}

export async function insertProject(prisma: Db, p: NewProject): Promise<ProjectRecord> {
  const { creatorId, ...data } = p;
  try {
    return await prisma.project.create({ data: { ...data, collaborators: { create: { userId: creatorId, role: "admin" } } } });
  } catch (e) {
    if (isUniqueViolation(e, "Project_slug_key")) throw new DomainError("conflict", `A project named "${p.slug}" already exists.`);
    throw e;
  }
}

export function findProjectBySlug(prisma: Db, slug: string): Promise<ProjectRecord | null> {
  return prisma.project.findFirst({ where: { slug, deletingAt: null } });
}

/** Projects linked to a GitHub repository (webhooks without an explicit project). */
export function findProjectsForGithubRepo(prisma: Db, fullName: string): Promise<ProjectRecord[]> {
  const [owner, repo] = fullName.split("/");
  if (!owner || !repo) return Promise.resolve([]);
  return prisma.project.findMany({
    where: { githubOwner: { equals: owner, mode: "insensitive" }, githubRepo: { equals: repo, mode: "insensitive" }, deletingAt: null },
  });
}

/** One line of the Projects page. */
export interface ProjectListRow {
  id: string;
  slug: string;
  name: string;
  repoUrl: string;
  odooVersion: string;
  createdAt: Date;
  /** Non-archived branches only. */
  _count: { branches: number };
}

/** Projects a user can see: all for a superuser, otherwise those they collaborate on. */
export function listProjectsForUser(prisma: Db, user: { id: string; isSuperuser: boolean }): Promise<ProjectListRow[]> {
  return prisma.project.findMany({
    where: user.isSuperuser ? { deletingAt: null } : { deletingAt: null, collaborators: { some: { userId: user.id } } },
    orderBy: { name: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      repoUrl: true,
      odooVersion: true,
      createdAt: true,
      _count: { select: { branches: { where: { archivedAt: null } } } },
    },
  });
}
