// Read model of the branch page (the branch as the unit of work, as on Odoo.sh): the branch with
// its settings, and the build its tabs show — the newest build of the branch on its current stage.
import type { BuildResult, InstallMode, PushBehavior, Stage } from "@slipway/domain";
import type { Db } from "../client";
import type { ProjectBuildRef } from "./project-views";

export interface BranchPageBranch {
  id: string;
  name: string;
  stage: Stage;
  pinned: boolean;
  headRevision: string | null;
  pushBehavior: PushBehavior;
  installMode: InstallMode;
  installModules: string[];
  testsEnabled: boolean;
  testTags: string | null;
}

/** A non-archived branch of the project by name, as the branch page shows it (null when none). */
export function findBranchPageBranch(db: Db, { projectId, name }: { projectId: string; name: string }): Promise<BranchPageBranch | null> {
  return db.branch.findFirst({
    where: { projectId, name, archivedAt: null },
    select: {
      id: true,
      name: true,
      stage: true,
      pinned: true,
      headRevision: true,
      pushBehavior: true,
      installMode: true,
      installModules: true,
      testsEnabled: true,
      testTags: true,
    },
  });
}

/** The build the branch page shows, with its outcome (its status badge). */
export interface BranchCurrentBuild extends ProjectBuildRef {
  result: BuildResult | null;
}

/**
 * The build the branch page's tabs show: the newest build of the branch made on `stage` (its
 * current stage). A branch just moved to another stage has none until its first build there; the
 * builds of its former stage stay reachable from History and the Builds view.
 */
export function findBranchCurrentBuild(
  db: Db,
  { branchId, stage }: { branchId: string; stage: Stage },
): Promise<BranchCurrentBuild | null> {
  return db.build.findFirst({
    where: { branchId, stage },
    orderBy: { number: "desc" },
    select: { id: true, number: true, stage: true, state: true, result: true, hostname: true, databaseName: true, branchId: true },
  });
}
