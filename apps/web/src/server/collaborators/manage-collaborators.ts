import { changeCollaborator, insertCollaborator, type Db } from "@slipway/db";
import { collaboratorRoles, DomainError, type Role } from "@slipway/domain";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { fetchUserByLogin } from "../github-auth/github-api";
import { upsertGithubUser } from "../github-auth/upsert-github-user";

export interface CollaboratorDeps {
  prisma: Db;
  /** GitHub's API base URL (SLIPWAY_GITHUB_API_URL). */
  githubApiUrl: string;
}

export function parseRole(value: unknown): Role {
  if (typeof value === "string" && (collaboratorRoles as readonly string[]).includes(value)) return value as Role;
  throw new DomainError("invalid_input", "Choose a role: admin, tester or developer.");
}

/**
 * Adds a GitHub user by username (seed settings.md: Developer unless another role is chosen). The
 * username is resolved through GitHub's API, so the User row carries the GitHub id their login
 * will match later.
 */
export async function addCollaborator(
  deps: CollaboratorDeps,
  options: { access: ProjectAccess; login: string; role?: Role; ip?: string | null },
) {
  const { access, ip } = options;
  access.assert({ action: "manage_collaborators" });
  const role = options.role ?? "developer";
  const account = await fetchUserByLogin({ apiUrl: deps.githubApiUrl, login: options.login });
  const user = await upsertGithubUser(deps.prisma, account);
  const row = await insertCollaborator(deps.prisma, { projectId: access.project.id, userId: user.id, role });
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: "collaborator.add",
    target: user.login,
    details: { role, githubId: account.githubId },
    ip,
  });
  return row;
}

/** Changes a collaborator's role; the last admin keeps theirs. */
export async function changeCollaboratorRole(
  deps: Pick<CollaboratorDeps, "prisma">,
  options: { access: ProjectAccess; collaboratorId: string; role: Role; ip?: string | null },
) {
  const { access, role, ip } = options;
  access.assert({ action: "manage_collaborators" });
  const { before } = await changeCollaborator(deps.prisma, { projectId: access.project.id, collaboratorId: options.collaboratorId, role });
  if (before.role !== role) {
    await recordAudit({
      prisma: deps.prisma,
      actorId: access.userId,
      projectId: access.project.id,
      action: "collaborator.role",
      target: before.user.login,
      details: { from: before.role, to: role },
      ip,
    });
  }
  return { login: before.user.login, from: before.role, to: role };
}

/** Removes a collaborator; the last admin cannot be removed. */
export async function removeCollaborator(
  deps: Pick<CollaboratorDeps, "prisma">,
  options: { access: ProjectAccess; collaboratorId: string; ip?: string | null },
) {
  const { access, ip } = options;
  access.assert({ action: "manage_collaborators" });
  const { before } = await changeCollaborator(deps.prisma, {
    projectId: access.project.id,
    collaboratorId: options.collaboratorId,
    role: null,
  });
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: "collaborator.remove",
    target: before.user.login,
    details: { role: before.role },
    ip,
  });
  return { login: before.user.login };
}
