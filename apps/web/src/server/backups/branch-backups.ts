import { listBackupBranches, type AuthUser, type BackupBranch, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { authorizeTool, SIGN_IN_REASON, type ProjectAccess } from "../access";

/**
 * A live branch of the project by name, with the "backups" cell of its stage checked: production
 * → admins, staging → testers and admins, development → nobody (its databases are rebuilt from
 * scratch on every push, so there is nothing to back up: the matrix message says so).
 */
export async function authorizeBranchBackups(options: { prisma: Db; access: ProjectAccess; branchName: string }): Promise<BackupBranch> {
  const branches = await listBackupBranches(options.prisma, { projectId: options.access.project.id });
  const branch = branches.find((b) => b.name === options.branchName);
  if (!branch) throw new DomainError("not_found", `There is no branch named "${options.branchName}" in this project.`);
  authorizeTool({ access: options.access, stage: branch.stage, tool: "backups" });
  return branch;
}

/** The user making a change; anonymous visitors are sent to sign in (never reached past the matrix today). */
export function signedIn(user: AuthUser | null): AuthUser {
  if (!user) throw new DomainError("not_found", "Sign in first.", { details: { reason: SIGN_IN_REASON } });
  return user;
}

export function requireDatabase(branch: BackupBranch, what: string): void {
  if (!branch.hasDatabase)
    throw new DomainError(
      "invalid_state",
      `Branch ${branch.name} has no running build, so no database to ${what}. Wait for its build to finish.`,
    );
}
