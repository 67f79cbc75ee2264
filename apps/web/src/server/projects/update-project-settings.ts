import { saveProjectSettings, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";

/** Project settings an admin changes from the Settings page (seed settings.md: name, public access). */
export async function updateProjectSettings(
  deps: { prisma: Db },
  options: { access: ProjectAccess; name: string; publicAccess: boolean; ip?: string | null },
): Promise<void> {
  const { access, publicAccess, ip } = options;
  access.assert({ action: "project_settings" });
  const name = options.name.trim();
  if (name.length < 1 || name.length > 100) throw new DomainError("invalid_input", "The project name must have 1 to 100 characters.");
  const before = access.project;
  const changes: Record<string, { from: string | boolean; to: string | boolean }> = {};
  if (before.name !== name) changes.name = { from: before.name, to: name };
  if (before.publicAccess !== publicAccess) changes.publicAccess = { from: before.publicAccess, to: publicAccess };
  if (Object.keys(changes).length === 0) return;
  await saveProjectSettings(deps.prisma, { projectId: before.id, name, publicAccess });
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: before.id,
    action: "project.settings",
    target: before.slug,
    details: changes,
    ip,
  });
}
