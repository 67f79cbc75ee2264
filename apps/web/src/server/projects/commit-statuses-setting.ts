import { findCommitStatusesSetting, saveCommitStatusesSetting, type CommitStatusesSetting, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { ProjectAccess } from "../access";

/** The seed's "GitHub commit statuses" setting as the Settings page shows it (admins only). */
export async function readCommitStatusesSetting(deps: { prisma: Db }, access: ProjectAccess): Promise<CommitStatusesSetting> {
  access.assert({ action: "project_settings" });
  const setting = await findCommitStatusesSetting(deps.prisma, access.project.id);
  if (!setting) throw new DomainError("not_found", "This project does not exist.");
  return setting;
}

/**
 * Turns commit statuses on or off for a GitHub project (admins only, audited). Statuses are posted
 * when the setting is on and the project has credentials that can write them.
 */
export async function changeCommitStatusesSetting(
  deps: { prisma: Db },
  options: { access: ProjectAccess; enabled: boolean; ip: string | null },
): Promise<string> {
  const { access } = options;
  const setting = await readCommitStatusesSetting(deps, access);
  if (setting.repoKind !== "github") throw new DomainError("invalid_state", "Commit statuses are for GitHub repositories only.");
  const changed = await saveCommitStatusesSetting(deps.prisma, {
    projectId: access.project.id,
    enabled: options.enabled,
    actorId: access.userId,
    target: access.project.slug,
    ip: options.ip,
  });
  if (!changed) return "Nothing changed.";
  return options.enabled ? "Builds post their commit statuses to GitHub." : "Builds no longer post commit statuses to GitHub.";
}
