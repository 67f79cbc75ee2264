import type { Stage } from "../builds";
import { DomainError } from "../errors";
import {
  accessMatrix,
  accessStages,
  buildTools,
  type Audience,
  type ProjectAction,
  projectAccess,
  projectActionLabel,
  projectActions,
  type Role,
  type Tool,
  toolLabel,
} from "./matrix";

export type Actor = { kind: "collaborator"; role: Role } | { kind: "anonymous" } | { kind: "superuser" };

/** What is asked: a tool of a build in a stage, or a project-level action. */
export type AccessTarget =
  | { stage: Stage; tool: Tool; action?: undefined }
  | { action: ProjectAction; stage?: undefined; tool?: undefined };

export type AccessQuery = { actor: Actor; publicAccess: boolean } & AccessTarget;

function audiencesOf(target: AccessTarget): readonly Audience[] {
  if (target.action !== undefined) {
    const audiences = projectAccess[target.action] as readonly Audience[] | undefined;
    if (audiences === undefined) throw new DomainError("invalid_input", `Unknown project action "${String(target.action)}".`);
    return audiences;
  }
  const audiences = accessMatrix[target.stage]?.[target.tool] as readonly Audience[] | undefined;
  if (audiences === undefined) {
    throw new DomainError("invalid_input", `Unknown stage or tool "${String(target.stage)}" / "${String(target.tool)}".`);
  }
  return audiences;
}

/**
 * Whether the actor may use the tool on a build of the stage, or perform the project action.
 * A superuser counts as an admin. A collaborator gets their role's cells plus the public ones when
 * the project is public. An anonymous visitor gets the public cells only when public access is on.
 */
export function can(query: AccessQuery): boolean {
  const audiences = audiencesOf(query);
  const { actor, publicAccess } = query;
  if (publicAccess && audiences.includes("public")) return true;
  switch (actor.kind) {
    case "superuser":
      return audiences.includes("admin");
    case "collaborator":
      return audiences.includes(actor.role);
    case "anonymous":
      return false;
  }
}

function what(target: AccessTarget): string {
  return target.action !== undefined ? projectActionLabel(target.action) : `${toolLabel(target.tool)} on ${target.stage} builds`;
}

/** Throws DomainError("forbidden") with a message saying why, unless `can(query)`. */
export function assertCan(query: AccessQuery): void {
  if (can(query)) return;
  const { actor, publicAccess } = query;
  const details = {
    actor: actor.kind === "collaborator" ? actor.role : actor.kind,
    stage: query.stage,
    tool: query.tool,
    action: query.action,
  };
  let message: string;
  if (actor.kind === "anonymous") {
    message = publicAccess
      ? `Visitors cannot access ${what(query)}; sign in as a collaborator of this project.`
      : "This project is not public; sign in as a collaborator of this project.";
  } else if (actor.kind === "collaborator") {
    message = `Your role (${actor.role}) does not give access to ${what(query)}.`;
  } else {
    message = `${what(query)[0]?.toUpperCase() ?? ""}${what(query).slice(1)} is not available to anyone.`;
  }
  throw new DomainError("forbidden", message, { details });
}

export interface AccessCase {
  actor: Actor;
  publicAccess: boolean;
  stage?: Stage;
  tool?: Tool;
  action?: ProjectAction;
  expected: boolean;
}

export const accessActors: readonly Actor[] = [
  { kind: "collaborator", role: "admin" },
  { kind: "collaborator", role: "tester" },
  { kind: "collaborator", role: "developer" },
  { kind: "anonymous" },
  { kind: "superuser" },
];

/**
 * Every combination of actor × public access × (stage × tool | project action) with the answer of
 * the matrix, so tests (unit here, end-to-end route tests elsewhere) can walk every cell.
 */
export function allAccessCases(): AccessCase[] {
  const cases: AccessCase[] = [];
  for (const actor of accessActors)
    for (const publicAccess of [false, true]) {
      for (const stage of accessStages)
        for (const tool of buildTools)
          cases.push({ actor, publicAccess, stage, tool, expected: can({ actor, publicAccess, stage, tool }) });
      for (const action of projectActions) cases.push({ actor, publicAccess, action, expected: can({ actor, publicAccess, action }) });
    }
  return cases;
}
