// The project settings an admin changes from the Settings page.
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";

/** What the Settings page may change on a project (its slug never changes: see docs/decisions/0006). */
export interface ProjectSettingsChange {
  name: string;
  publicAccess: boolean;
  odooVersion: string;
  odooImage: string;
  repoUrl: string;
  repoKind: string;
  githubOwner: string | null;
  githubRepo: string | null;
}

/** Saves a project's settings with the audit entry saying what changed, all or nothing. */
export async function saveProjectSettings(
  db: Db,
  { projectId, settings, audit }: { projectId: string; settings: ProjectSettingsChange; audit: NewAuditEntry },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.project.update({ where: { id: projectId }, data: settings });
    await insertAuditEntry(tx, audit);
  });
}
