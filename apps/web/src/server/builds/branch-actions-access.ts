import type { AccessTarget, Stage } from "@slipway/domain";

/**
 * Rebuild and Cancel change what a branch runs, like its settings do (Odoo.sh: developers manage
 * development branches; staging for testers and admins; production for admins). The role matrix
 * has no "rebuild" tool, so they are gated as the stage's Settings tool; issue 7 may refine it.
 */
export function branchActionTarget(stage: Stage): AccessTarget {
  return { stage, tool: "settings" };
}
