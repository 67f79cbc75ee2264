import type { BackupBranch } from "@slipway/db";
import { isDomainError, MAX_MANUAL_BACKUPS_PER_DAY } from "@slipway/domain";
import { notFound } from "next/navigation";
import type { ProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { backupDeps } from "@/server/backups/backup-deps";
import { listBackups } from "@/server/backups/list-backups";
import { BackupsTable } from "./backups-table";
import { ImportPanel } from "./import-panel";
import { ManualBackupButton } from "./manual-backup-button";

/**
 * The backups of one production or staging branch: retention, manual backup, the list (download,
 * restore) and the import form — the project's Backups page and the branch page's Backups tab.
 * listBackups checks the role again (the Backups cell of the branch's stage); a refusal is a 404.
 */
export async function BranchBackupsPanel({
  slug,
  access,
  branch,
  branches,
}: {
  slug: string;
  access: ProjectAccess;
  branch: BackupBranch & { stage: "production" | "staging" };
  /** The project's branches (restore targets are those of them the viewer may restore into). */
  branches: BackupBranch[];
}) {
  const d = backupDeps();
  let list: Awaited<ReturnType<typeof listBackups>>;
  try {
    list = await listBackups(d, { access, branchName: branch.name });
  } catch (e) {
    if (isDomainError(e, "forbidden", "not_found")) notFound();
    throw e;
  }
  const user = await getCurrentUser();
  const isAdmin = access.can({ action: "project_settings" });
  const targets = branches
    .filter(
      (b): b is typeof b & { stage: "production" | "staging" } =>
        b.stage !== "development" && b.hasDatabase && access.can({ stage: b.stage, tool: "backups" }),
    )
    .map((b) => ({ name: b.name, stage: b.stage }));
  return (
    <>
      <p className="text-sm text-slate-600">
        {branch.stage === "production"
          ? "The production database is backed up every day; 7 daily, 4 weekly and 3 monthly backups are kept. Manual backups are kept 7 days; update, safety and import backups 30 days."
          : "Staging databases are not backed up automatically; manual backups are kept 7 days. Restore a production backup here to test with real data (it is neutralized)."}
      </p>
      {user ? (
        <ManualBackupButton
          slug={slug}
          branch={branch.name}
          remaining={MAX_MANUAL_BACKUPS_PER_DAY - list.manualToday}
          disabledReason={
            !branch.hasDatabase
              ? "No running build: nothing to back up yet."
              : list.manualToday >= MAX_MANUAL_BACKUPS_PER_DAY
                ? `The ${MAX_MANUAL_BACKUPS_PER_DAY} manual backups of today are taken; try again tomorrow.`
                : null
          }
        />
      ) : null}
      <BackupsTable slug={slug} list={list} targets={targets} showVerifyErrors={isAdmin} />
      {user && branch.hasDatabase ? <ImportPanel slug={slug} branch={branch.name} stage={branch.stage} maxBytes={d.maxBytes} /> : null}
    </>
  );
}
