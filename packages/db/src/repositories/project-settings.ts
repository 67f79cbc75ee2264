// The project settings an admin changes from the Settings page.
import type { Db } from "../client";

/** Saves a project's name and public access. */
export async function saveProjectSettings(
  db: Db,
  { projectId, name, publicAccess }: { projectId: string; name: string; publicAccess: boolean },
): Promise<void> {
  await db.project.update({ where: { id: projectId }, data: { name, publicAccess } });
}
