import {
  deleteBranchDomain,
  findBranchSettings,
  insertBranchDomain,
  listBranchDomains,
  setPrimaryBranchDomain,
  type CustomDomainRow,
  type Db,
} from "@slipway/db";
import { customDomainTarget, DomainError, normalizeCustomDomain, type Stage } from "@slipway/domain";
import { z } from "zod";
import type { ProjectAccess } from "../access";
import { authorizeTool } from "../access/authorize";

/*
 * Custom domains of a branch (seed "Custom domains", issue 16): who may list, add and remove them
 * is the Settings cell of the branch's stage in the role matrix (production: admins; staging:
 * testers and admins; development: every collaborator), checked here on the server for every
 * read and change. Changes are audited; the worker checks the CNAME (domain.check).
 */

export interface DomainDeps {
  prisma: Db;
  /** The platform's base domain (SLIPWAY_BASE_DOMAIN): names under it are the builds' own. */
  baseDomain: string;
  /** Queues a CNAME check of a domain (the worker's domain.check job). */
  enqueueCheck: (domainId: string) => Promise<void>;
}

export interface BranchDomainsView {
  branch: { id: string; name: string; stage: Stage };
  /** What the domains' CNAME records must point at: `<project>.<base domain>`. */
  target: string;
  domains: CustomDomainRow[];
}

const hostnameInput = z.string({ error: "Enter a domain name." }).max(1000, "A domain name has at most 253 characters.");
const domainIdInput = z.uuid({ error: "Unknown domain." });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DomainError("invalid_input", parsed.error.issues.map((i) => i.message).join(" "));
  return parsed.data;
}

async function authorizedBranch(deps: Pick<DomainDeps, "prisma">, options: { access: ProjectAccess; branchName: string }) {
  const branch = await findBranchSettings(deps.prisma, { projectId: options.access.project.id, name: options.branchName });
  if (!branch) throw new DomainError("not_found", `There is no branch named "${options.branchName}" in this project.`);
  authorizeTool({ access: options.access, stage: branch.stage, tool: "settings" });
  return { id: branch.id, name: branch.name, stage: branch.stage };
}

/** The branch's domains, for a viewer who may use the Settings tab of its stage. */
export async function readBranchDomains(
  deps: Pick<DomainDeps, "prisma">,
  options: { access: ProjectAccess; branchName: string },
): Promise<BranchDomainsView> {
  const branch = await authorizedBranch(deps, options);
  const { project } = options.access;
  return {
    branch,
    target: customDomainTarget({ projectSlug: project.slug, baseDomain: project.baseDomain }),
    domains: await listBranchDomains(deps.prisma, { branchId: branch.id }),
  };
}

type Change = { access: ProjectAccess; branchName: string; actor: { id: string; login: string }; ip?: string | null };

/**
 * Adds a domain to the branch: the name is normalised and checked (bare domains and the platform's
 * own names refused), must be free on the whole platform, is audited, and its first CNAME check
 * is queued at once.
 */
export async function addBranchDomain(deps: DomainDeps, options: Change & { hostname: unknown }): Promise<CustomDomainRow> {
  const branch = await authorizedBranch(deps, options);
  const { project } = options.access;
  const typed = parse(hostnameInput, options.hostname);
  let hostname = normalizeCustomDomain(typed, { baseDomain: deps.baseDomain });
  if (project.baseDomain !== deps.baseDomain) hostname = normalizeCustomDomain(hostname, { baseDomain: project.baseDomain });
  const row = await insertBranchDomain(deps.prisma, {
    projectId: project.id,
    branchId: branch.id,
    hostname,
    audit: {
      projectId: project.id,
      actorId: options.actor.id,
      action: "domain.add",
      target: branch.name,
      details: { hostname, stage: branch.stage },
      ip: options.ip ?? null,
    },
  });
  await deps.enqueueCheck(row.id).catch((e: unknown) => {
    // The periodic round checks it anyway; the user can press "Check now".
    console.error(`Slipway web: could not queue the check of ${hostname}: ${(e as Error).message}`);
  });
  return row;
}

/** Removes a domain of the branch (audited); its route and certificate requests stop with it. */
export async function removeBranchDomain(deps: Pick<DomainDeps, "prisma">, options: Change & { domainId: unknown }): Promise<string> {
  const branch = await authorizedBranch(deps, options);
  const { project } = options.access;
  const domainId = parse(domainIdInput, options.domainId);
  const removed = await deleteBranchDomain(deps.prisma, {
    projectId: project.id,
    branchId: branch.id,
    domainId,
    audit: { projectId: project.id, actorId: options.actor.id, action: "domain.remove", target: branch.name, ip: options.ip ?? null },
  });
  if (!removed) throw new DomainError("not_found", "This domain is not one of this branch's (removed meanwhile?).");
  return removed.hostname;
}

/** Makes a domain the production branch's main domain (its web.base.url from the next build), audited. */
export async function makePrimaryBranchDomain(deps: Pick<DomainDeps, "prisma">, options: Change & { domainId: unknown }): Promise<string> {
  const branch = await authorizedBranch(deps, options);
  if (branch.stage !== "production") throw new DomainError("invalid_state", "Only the production branch has a main domain.");
  const { project } = options.access;
  const domainId = parse(domainIdInput, options.domainId);
  const done = await setPrimaryBranchDomain(deps.prisma, {
    projectId: project.id,
    branchId: branch.id,
    domainId,
    audit: { projectId: project.id, actorId: options.actor.id, action: "domain.primary", target: branch.name, ip: options.ip ?? null },
  });
  if (!done) throw new DomainError("not_found", "This domain is not one of this branch's (removed meanwhile?).");
  return done.hostname;
}

/** "Check now": queues a CNAME check of one of the branch's domains. */
export async function checkBranchDomainNow(
  deps: DomainDeps,
  options: { access: ProjectAccess; branchName: string; domainId: unknown },
): Promise<void> {
  const branch = await authorizedBranch(deps, options);
  const domainId = parse(domainIdInput, options.domainId);
  const domains = await listBranchDomains(deps.prisma, { branchId: branch.id });
  if (!domains.some((d) => d.id === domainId))
    throw new DomainError("not_found", "This domain is not one of this branch's (removed meanwhile?).");
  await deps.enqueueCheck(domainId);
}
