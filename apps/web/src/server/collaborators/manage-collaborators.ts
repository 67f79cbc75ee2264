import { changeCollaborator, findUserByLoginInsensitive, insertCollaborator, type Db } from "@slipway/db";
import { collaboratorRoles, DomainError, isDomainError, type Role } from "@slipway/domain";
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

/** What the typed login is, after trimming and a leading "@". */
function typedLogin(value: string): string {
  const login = value.trim().replace(/^@/, "");
  if (login === "") throw new DomainError("invalid_input", "Enter a local login or a GitHub username.");
  return login;
}

/**
 * The user a typed login stands for (issue 14): a local account of that login first (case
 * ignored), otherwise the GitHub user of that name, looked up through GitHub's API so the User row
 * carries the GitHub id their login will match later. When GitHub cannot be reached, a GitHub
 * user already known here is used as stored; anyone else gets a message that says what to do.
 */
async function resolveCollaboratorUser(
  deps: CollaboratorDeps,
  typed: string,
): Promise<{ id: string; login: string; details: Record<string, string | boolean> }> {
  const known = await findUserByLoginInsensitive(deps.prisma, { login: typed });
  if (known?.disabled) {
    throw new DomainError("invalid_state", `The account ${known.login} is disabled; ask a platform administrator to enable it first.`);
  }
  if (known && known.githubId === null) return { id: known.id, login: known.login, details: { local: true } };
  try {
    const account = await fetchUserByLogin({ apiUrl: deps.githubApiUrl, login: typed });
    const user = await upsertGithubUser(deps.prisma, account);
    return { ...user, details: { githubId: account.githubId } };
  } catch (error) {
    if (isDomainError(error, "upstream_failed")) {
      if (known) return { id: known.id, login: known.login, details: { githubId: known.githubId!, githubUnreachable: true } };
      throw new DomainError(
        "upstream_failed",
        `GitHub could not be reached to look up "${typed}", and there is no local user with this login. Retry when GitHub is reachable, or ask a platform administrator to create a local user (Users page) and add that login.`,
        { cause: error },
      );
    }
    if (isDomainError(error, "not_found")) {
      throw new DomainError("not_found", `There is no local user or GitHub user named "${typed}".`);
    }
    if (isDomainError(error, "invalid_input")) {
      throw new DomainError("invalid_input", `There is no local user "${typed}", and it is not a GitHub username.`);
    }
    throw error;
  }
}

/**
 * Adds a local user by login or a GitHub user by username (seed settings.md: Developer unless
 * another role is chosen); local accounts are found first.
 */
export async function addCollaborator(
  deps: CollaboratorDeps,
  options: { access: ProjectAccess; login: string; role?: Role; ip?: string | null },
) {
  const { access, ip } = options;
  access.assert({ action: "manage_collaborators" });
  const role = options.role ?? "developer";
  const user = await resolveCollaboratorUser(deps, typedLogin(options.login));
  // The row and its audit entry together, or neither.
  return insertCollaborator(deps.prisma, {
    projectId: access.project.id,
    userId: user.id,
    role,
    audit: {
      actorId: access.userId,
      projectId: access.project.id,
      action: "collaborator.add",
      target: user.login,
      details: { role, ...user.details },
      ip: ip ?? null,
    },
  });
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
