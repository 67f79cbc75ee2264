import { moveBranchToStage, queueStageBuild, type Db } from "@slipway/db";
import { DomainError, planStageMove, stageMoveStartsBuild, startBuild, type Stage, type StageMovePlan } from "@slipway/domain";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { findBranchByName, findProductionBranchName } from "./find-branch";

export interface MoveBranchDeps {
  prisma: Db;
  /** Queues the run of a queued build (startBuild's job side). */
  enqueueBuild: (buildId: string) => Promise<void>;
  notify: (notice: { projectId: string; branchId: string }) => Promise<void>;
}

export interface StageMoveOutcome {
  plan: StageMovePlan;
  /**
   * The build the new stage needs, queued with the move (staging, production); null when none
   * started: a move to development, a branch without a known head, or a build in progress.
   */
  build: { number: number } | null;
}

const stageLabel: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };
const pushLabel = { new_build: "new build", update_previous: "update previous build", do_nothing: "do nothing" } as const;

/**
 * Moves a branch under another stage (drag and drop in the Branches view) with exactly the rules
 * of `planStageMove` (docs/product/stages-and-branches.md); refusals are DomainErrors whose message is shown as is.
 * `productionSlot` follows the stage (true only for production), so the database's unique index
 * decides a race between two moves to production. The move is a branch history Event and an
 * audit entry, written in the same transaction. A move to staging or production then starts the
 * build of the new stage (stageMoveStartsBuild) through startBuild.
 */
export async function moveBranchStage(
  deps: MoveBranchDeps,
  options: { access: ProjectAccess; branchName: string; to: Stage; actor: { id: string; login: string }; ip?: string | null },
): Promise<StageMoveOutcome> {
  const { access, branchName, to, actor } = options;
  const projectId = access.project.id;
  const branch = await findBranchByName(deps.prisma, { projectId, name: branchName });
  authorizeBranchChange({ access, stages: [branch.stage, to] });
  const plan = planStageMove({ branch, target: to, productionBranch: await findProductionBranchName(deps.prisma, { projectId }) });
  const behaviour = plan.pushBehavior ? ` Push behaviour set to "${pushLabel[plan.pushBehavior]}".` : "";
  const message = `Moved from ${stageLabel[plan.from]} to ${stageLabel[plan.to]} by ${actor.login}.${behaviour}`;
  const data = { from: plan.from, to: plan.to, ...(plan.pushBehavior ? { pushBehavior: plan.pushBehavior } : {}) };
  // Conditional on the stage read above: a concurrent move of the same branch loses cleanly.
  const outcome = await moveBranchToStage(deps.prisma, {
    projectId,
    branchId: branch.id,
    from: plan.from,
    to: plan.to,
    ...(plan.pushBehavior ? { pushBehavior: plan.pushBehavior } : {}),
    event: { actorId: actor.id, kind: "branch.stage_move", message, data },
    audit: { projectId, actorId: actor.id, action: "stage.move", target: branch.name, details: data, ip: options.ip ?? null },
  });
  if (outcome === "changed") throw new DomainError("conflict", `Branch "${branch.name}" changed meanwhile; reload and try again.`);
  if (outcome === "production_taken") {
    throw new DomainError("conflict", "A project has exactly one production branch, and another branch just became it. Reload the page.", {
      details: { branch: branch.name },
    });
  }
  const build = stageMoveStartsBuild(plan)
    ? await startBuild(
        deps.enqueueBuild,
        () => queueStageBuild(deps.prisma, { projectId, branchId: branch.id, actorId: actor.id, stageLabel: stageLabel[plan.to] }),
        (queued) => queued,
      )
    : null;
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { plan, build: build ? { number: build.number } : null };
}
