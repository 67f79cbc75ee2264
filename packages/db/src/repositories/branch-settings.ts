// A branch's settings (the branch page's Settings tab): read with what the form needs, written with
// their history event and audit entry in one transaction.
import type { BranchSettings, Stage } from "@slipway/domain";
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";
import type { BranchChangeEvent } from "./branch-changes";

const settingsSelect = {
  pushBehavior: true,
  installMode: true,
  installModules: true,
  testsEnabled: true,
  testTags: true,
  odooVersion: true,
  odooRevision: true,
} as const;

export interface BranchSettingsView {
  id: string;
  name: string;
  stage: Stage;
  settings: BranchSettings;
  /**
   * The installable modules the branch's newest build with a finished addons discovery found, and
   * that build's number; null when no build of the branch got that far yet.
   */
  discovered: { buildNumber: number; modules: string[] } | null;
}

/** A non-archived branch of the project by name, with its settings (null when there is none). */
export async function findBranchSettings(
  db: Db,
  { projectId, name }: { projectId: string; name: string },
): Promise<BranchSettingsView | null> {
  const row = await db.branch.findFirst({
    where: { projectId, name, archivedAt: null },
    select: { id: true, name: true, stage: true, ...settingsSelect },
  });
  if (!row) return null;
  const { id, stage, ...settings } = row;
  const step = await db.buildStep.findFirst({
    where: { name: "discover", state: "succeeded", build: { branchId: id } },
    orderBy: { build: { number: "desc" } },
    select: { detail: true, build: { select: { number: true } } },
  });
  return {
    id,
    name: row.name,
    stage,
    settings,
    discovered: step ? { buildNumber: step.build.number, modules: installableModules(step.detail) } : null,
  };
}

/** The discover step's detail (AddonsDiscovery, written by the worker): its installable modules' names. */
function installableModules(detail: unknown): string[] {
  const modules = (detail as { modules?: unknown } | null)?.modules;
  if (!Array.isArray(modules)) return [];
  return modules
    .filter((m): m is { name: string; manifest?: { installable?: boolean } } => typeof (m as { name?: unknown })?.name === "string")
    .filter((m) => m.manifest?.installable !== false)
    .map((m) => m.name)
    .sort();
}

/**
 * Writes a branch's settings, its history event and its audit entry, all or nothing — only while
 * the branch is still live and still in `stage` (the form was checked for that stage).
 * "changed": the branch moved or was archived meanwhile; nothing was written.
 */
export async function saveBranchSettings(
  db: Db,
  change: { projectId: string; branchId: string; stage: Stage; settings: BranchSettings; event: BranchChangeEvent; audit: NewAuditEntry },
): Promise<"saved" | "changed"> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.branch.updateMany({
      where: { id: change.branchId, projectId: change.projectId, stage: change.stage, archivedAt: null },
      data: change.settings,
    });
    if (count === 0) return "changed";
    const { actorId, kind, message, data } = change.event;
    await tx.event.create({
      data: { projectId: change.projectId, branchId: change.branchId, actorId, kind, message, ...(data ? { data } : {}) },
    });
    await insertAuditEntry(tx, change.audit);
    return "saved";
  });
}
