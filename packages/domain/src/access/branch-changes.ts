import type { Stage } from "../builds";
import type { AccessTarget } from "./can";

// Most exposed first: a change touching production needs production's rights.
const exposure: readonly Stage[] = ["production", "staging", "development"];

/**
 * The matrix cell gating a change to branches: rebuild and cancel (one stage), a stage move
 * (from → to) or a merge (source → target). Changing what a branch runs is a branch setting, so
 * the cell is the Settings tool of the most exposed stage involved: production → admins, staging →
 * testers and admins, development only → every collaborator (seed settings.md: developers have
 * no access to staging or production tools; docs/product/roles-and-access.md keeps production to admins).
 */
export function branchChangeTarget(stages: readonly Stage[]): AccessTarget {
  const stage = exposure.find((s) => stages.includes(s));
  if (stage === undefined) throw new Error("branchChangeTarget needs at least one stage");
  return { stage, tool: "settings" };
}
