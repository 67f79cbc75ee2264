// Custom domains of branches (issue 16): the Settings tab's list, add/remove with their audit
// entries, the worker's CNAME checks, the routes' extra hostnames and the TLS `ask` answer.
import { DomainError, type CnameResult } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";
import { isUniqueViolation } from "./errors";

export interface CustomDomainRow {
  id: string;
  hostname: string;
  primary: boolean;
  createdAt: Date;
  verifiedAt: Date | null;
  lastCheckedAt: Date | null;
  lastResult: CnameResult | null;
  lastAnswer: string | null;
  lastError: string | null;
  certificateExpiresAt: Date | null;
}

const rowSelect = {
  id: true,
  hostname: true,
  primary: true,
  createdAt: true,
  verifiedAt: true,
  lastCheckedAt: true,
  lastResult: true,
  lastAnswer: true,
  lastError: true,
  certificateExpiresAt: true,
} as const;

function asRow(r: Omit<CustomDomainRow, "lastResult"> & { lastResult: string | null }): CustomDomainRow {
  return { ...r, lastResult: r.lastResult as CnameResult | null };
}

/** The domains of a branch, main domain first, then in the order they were added. */
export async function listBranchDomains(db: Db, { branchId }: { branchId: string }): Promise<CustomDomainRow[]> {
  const rows = await db.domain.findMany({ where: { branchId }, select: rowSelect, orderBy: [{ primary: "desc" }, { createdAt: "asc" }] });
  return rows.map(asRow);
}

/**
 * Adds a domain to a live branch, with its audit entry, all or nothing. The first domain of a
 * production branch becomes its main domain. A hostname already used anywhere (the unique
 * constraint) is a `conflict` that names the branch only when it is in the same project.
 */
export async function insertBranchDomain(
  db: Db,
  input: { projectId: string; branchId: string; hostname: string; audit: NewAuditEntry },
): Promise<CustomDomainRow> {
  try {
    return await db.$transaction(async (tx) => {
      const branch = await tx.branch.findFirst({
        where: { id: input.branchId, projectId: input.projectId, archivedAt: null },
        select: { stage: true },
      });
      if (!branch) throw new DomainError("not_found", "This branch was deleted meanwhile.");
      const primary =
        branch.stage === "production" && (await tx.domain.count({ where: { branchId: input.branchId, primary: true } })) === 0;
      const row = await tx.domain.create({
        data: { projectId: input.projectId, branchId: input.branchId, hostname: input.hostname, primary },
        select: rowSelect,
      });
      await insertAuditEntry(tx, input.audit);
      return asRow(row);
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const holder = await db.domain.findUnique({
      where: { hostname: input.hostname },
      select: { projectId: true, branch: { select: { name: true } } },
    });
    if (holder && holder.projectId === input.projectId) {
      throw new DomainError("conflict", `${input.hostname} is already a domain of the branch "${holder.branch.name}" of this project.`);
    }
    throw new DomainError("conflict", `${input.hostname} is already used by another project on this platform.`);
  }
}

/** Removes a domain of the branch with its audit entry (a main domain passes its role to the oldest other one). */
export async function deleteBranchDomain(
  db: Db,
  input: { projectId: string; branchId: string; domainId: string; audit: NewAuditEntry },
): Promise<{ hostname: string } | null> {
  return db.$transaction(async (tx) => {
    const row = await tx.domain.findFirst({
      where: { id: input.domainId, projectId: input.projectId, branchId: input.branchId },
      select: { hostname: true, primary: true },
    });
    if (!row) return null;
    await tx.domain.delete({ where: { id: input.domainId } });
    if (row.primary) {
      const next = await tx.domain.findFirst({ where: { branchId: input.branchId }, orderBy: { createdAt: "asc" }, select: { id: true } });
      if (next) await tx.domain.update({ where: { id: next.id }, data: { primary: true } });
    }
    await insertAuditEntry(tx, input.audit);
    return { hostname: row.hostname };
  });
}

/** Makes one domain of a branch its main domain (the others lose the role), with its audit entry. */
export async function setPrimaryBranchDomain(
  db: Db,
  input: { projectId: string; branchId: string; domainId: string; audit: NewAuditEntry },
): Promise<{ hostname: string } | null> {
  return db.$transaction(async (tx) => {
    const row = await tx.domain.findFirst({
      where: { id: input.domainId, projectId: input.projectId, branchId: input.branchId },
      select: { hostname: true },
    });
    if (!row) return null;
    await tx.domain.updateMany({ where: { branchId: input.branchId, NOT: { id: input.domainId } }, data: { primary: false } });
    await tx.domain.update({ where: { id: input.domainId }, data: { primary: true } });
    await insertAuditEntry(tx, input.audit);
    return { hostname: row.hostname };
  });
}

/** A domain with what its CNAME check needs: the project's slug and base domain, its branch. */
export interface DomainToCheck {
  id: string;
  hostname: string;
  projectId: string;
  projectSlug: string;
  baseDomain: string;
  branchId: string;
  verified: boolean;
}

/** One domain (null when gone or its branch/project is being deleted), or every live one. */
export async function listDomainsToCheck(db: Db, options: { domainId?: string } = {}): Promise<DomainToCheck[]> {
  const rows = await db.domain.findMany({
    where: {
      ...(options.domainId ? { id: options.domainId } : {}),
      branch: { archivedAt: null },
      project: { deletingAt: null, deletedAt: null },
    },
    select: {
      id: true,
      hostname: true,
      projectId: true,
      branchId: true,
      verifiedAt: true,
      project: { select: { slug: true, baseDomain: true } },
    },
    orderBy: { lastCheckedAt: { sort: "asc", nulls: "first" } },
  });
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    projectId: r.projectId,
    projectSlug: r.project.slug,
    baseDomain: r.project.baseDomain,
    branchId: r.branchId,
    verified: r.verifiedAt !== null,
  }));
}

/**
 * Writes a check's outcome. `verified` true keeps the first verification time; false clears it.
 * Returns whether the domain's verification changed (its routes then need a refresh).
 */
export async function recordDomainCheck(
  db: Db,
  input: { domainId: string; checkedAt: Date; result: CnameResult; answer: string; error: string | null; verified: boolean },
): Promise<{ changed: boolean } | null> {
  const row = await db.domain.findUnique({ where: { id: input.domainId }, select: { verifiedAt: true } });
  if (!row) return null;
  const verifiedAt = input.verified ? (row.verifiedAt ?? input.checkedAt) : null;
  await db.domain.update({
    where: { id: input.domainId },
    data: {
      lastCheckedAt: input.checkedAt,
      lastResult: input.result,
      lastAnswer: input.answer,
      lastError: input.error,
      verifiedAt,
      ...(input.verified ? {} : { certificateExpiresAt: null }),
    },
  });
  return { changed: (row.verifiedAt === null) !== (verifiedAt === null) };
}

/** Records the expiry of the certificate the proxy serves for a verified domain (null: none). */
export async function recordDomainCertificate(db: Db, input: { domainId: string; expiresAt: Date | null }): Promise<void> {
  await db.domain.updateMany({ where: { id: input.domainId }, data: { certificateExpiresAt: input.expiresAt } });
}

/** Verified domains of a branch (main domain first): the extra hostnames of its current build's routes. */
export async function verifiedBranchDomains(db: Db, { branchId }: { branchId: string }): Promise<string[]> {
  const rows = await db.domain.findMany({
    where: { branchId, verifiedAt: { not: null } },
    select: { hostname: true },
    orderBy: [{ primary: "desc" }, { createdAt: "asc" }],
  });
  return rows.map((r) => r.hostname);
}

/** Verified domains of the branch of a build (main domain first): the extra hostnames of its route and maintenance page. */
export async function verifiedDomainsOfBuildBranch(db: Db, { buildId }: { buildId: string }): Promise<string[]> {
  const build = await db.build.findUnique({ where: { id: buildId }, select: { branchId: true } });
  return build ? verifiedBranchDomains(db, { branchId: build.branchId }) : [];
}

/** The verified main domain of a production build's branch (its web.base.url), or null. */
export async function primaryDomainOfBuildBranch(db: Db, { buildId }: { buildId: string }): Promise<string | null> {
  const build = await db.build.findUnique({ where: { id: buildId }, select: { branchId: true, stage: true } });
  return build && build.stage === "production" ? primaryBranchDomain(db, { branchId: build.branchId }) : null;
}

/** The verified main domain of a branch (production's web.base.url), or null. */
export async function primaryBranchDomain(db: Db, { branchId }: { branchId: string }): Promise<string | null> {
  const row = await db.domain.findFirst({ where: { branchId, primary: true, verifiedAt: { not: null } }, select: { hostname: true } });
  return row?.hostname ?? null;
}

/** The running builds of a branch (their routes carry or drop its domains after a change). */
export async function runningBuildIdsOfBranch(db: Db, { branchId }: { branchId: string }): Promise<string[]> {
  const rows = await db.build.findMany({ where: { branchId, state: "running", hostname: { not: null } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/**
 * Whether the proxy may obtain a certificate for `hostname` (the TLS `ask` answer): a verified
 * custom domain of a live branch, a build's own hostname on a live branch, or a live project's
 * production name `<slug>.<base domain>`. Anything else (unknown names, pending domains, names
 * of deleted branches and projects) is refused, so certificates cannot be asked for arbitrary names.
 */
export async function hostnameMayHaveCertificate(db: Db, hostname: string): Promise<boolean> {
  const host = hostname.toLowerCase();
  const liveProject = { deletingAt: null, deletedAt: null };
  const domain = await db.domain.count({
    where: { hostname: host, verifiedAt: { not: null }, branch: { archivedAt: null }, project: liveProject },
  });
  if (domain > 0) return true;
  const build = await db.build.count({
    where: { hostname: host, state: { not: "cancelled" }, branch: { archivedAt: null }, project: liveProject },
  });
  if (build > 0) return true;
  const dot = host.indexOf(".");
  if (dot <= 0) return false;
  const project = await db.project.count({ where: { slug: host.slice(0, dot), baseDomain: host.slice(dot + 1), ...liveProject } });
  return project > 0;
}
