import { findBranchSettings, saveBranchSettings, type BranchSettingsView, type Db } from "@slipway/db";
import {
  DomainError,
  developmentOdooImage,
  installModes,
  planBranchSettings,
  pushBehaviors,
  type BranchSettings,
  type BranchSettingsInput,
} from "@slipway/domain";
import { z } from "zod";
import type { ProjectAccess } from "../access";
import { authorizeTool } from "../access/authorize";
import { assertImageAllowed } from "../projects/creation-policy";

/**
 * The Settings tab's form fields. Which ones are present depends on the stage the form was drawn
 * for: `developmentBehaviour=1` marks the module installation / test suite part (its checkboxes
 * are then read as off when absent), `odooVersion` the version part.
 */
const formSchema = z.object({
  pushBehavior: z.enum(pushBehaviors, { error: "Choose a behaviour upon new commits." }).optional(),
  developmentBehaviour: z.literal("1").optional(),
  useDefault: z.literal("on").optional(),
  installMode: z.enum(installModes, { error: "Choose how modules are installed." }).optional(),
  installModules: z.string().max(5000, "The list of modules is too long.").optional(),
  testsEnabled: z.literal("on").optional(),
  testTags: z.string().max(1000, "The test tags are too long.").optional(),
  odooVersion: z.string().max(20, "Unknown Odoo version.").optional(),
  odooRevision: z.string().max(100, "The revision is too long.").optional(),
});

/** The form's fields (FormData entries or a plain record) as the domain's settings input; invalid_input when malformed. */
export function parseBranchSettingsForm(fields: Record<string, unknown>): BranchSettingsInput {
  const clean = Object.fromEntries(Object.entries(fields).filter(([k, v]) => k in formSchema.shape && typeof v === "string"));
  const parsed = formSchema.safeParse(clean);
  if (!parsed.success) {
    throw new DomainError("invalid_input", parsed.error.issues.map((i) => i.message).join(" "), {
      details: { fields: parsed.error.issues.map((i) => i.path.join(".")) },
    });
  }
  const f = parsed.data;
  const input: BranchSettingsInput = {};
  if (f.pushBehavior !== undefined) input.pushBehavior = f.pushBehavior;
  if (f.developmentBehaviour) {
    input.useDefault = f.useDefault === "on";
    input.testsEnabled = f.testsEnabled === "on";
    input.testTags = f.testTags ?? "";
    if (f.installMode !== undefined) input.installMode = f.installMode;
    if (f.installModules !== undefined) input.installModules = f.installModules;
  }
  if (f.odooVersion !== undefined) input.odooVersion = f.odooVersion;
  if (f.odooRevision !== undefined) input.odooRevision = f.odooRevision;
  return input;
}

/** A non-archived branch with its settings, for a viewer who may use the Settings tab of its stage. */
export async function readBranchSettings(
  deps: { prisma: Db },
  options: { access: ProjectAccess; branchName: string },
): Promise<BranchSettingsView> {
  const branch = await findBranchSettings(deps.prisma, { projectId: options.access.project.id, name: options.branchName });
  if (!branch) throw new DomainError("not_found", `There is no branch named "${options.branchName}" in this project.`);
  authorizeTool({ access: options.access, stage: branch.stage, tool: "settings" });
  return branch;
}

/**
 * Saves a branch's Settings tab (seed odoo_sh/getting_started/branches.md "Settings"): the cell
 * Settings × the branch's stage of the role matrix decides (development: every collaborator;
 * staging: testers and admins; production: admins), every field is checked before anything is
 * written, and the change, its history event and its audit entry are written together. The next
 * build of the branch uses the new settings (the pipelines read them when the build starts).
 */
export async function updateBranchSettings(
  deps: { prisma: Db; policy: { odooImages: readonly string[] } },
  options: {
    access: ProjectAccess;
    branchName: string;
    input: BranchSettingsInput;
    actor: { id: string; login: string };
    ip?: string | null;
  },
): Promise<{ changed: (keyof BranchSettings)[] }> {
  const { access, actor } = options;
  const project = access.project;
  const branch = await readBranchSettings(deps, options);
  const { next, changes } = planBranchSettings({
    stage: branch.stage,
    current: branch.settings,
    input: options.input,
    knownModules: branch.discovered?.modules ?? null,
    project,
  });
  const changed = Object.keys(changes) as (keyof BranchSettings)[];
  if (changed.length === 0) return { changed };
  if (changes.odooVersion || changes.odooRevision) {
    assertImageAllowed(
      developmentOdooImage({
        projectImage: project.odooImage,
        projectVersion: project.odooVersion,
        odooVersion: next.odooVersion,
        odooRevision: next.odooRevision,
      }),
      deps.policy.odooImages,
    );
  }
  const outcome = await saveBranchSettings(deps.prisma, {
    projectId: project.id,
    branchId: branch.id,
    stage: branch.stage,
    settings: next,
    event: {
      actorId: actor.id,
      kind: "branch.settings",
      message: `Settings changed by ${actor.login}: ${changed.join(", ")}. The next build uses them.`,
    },
    audit: {
      projectId: project.id,
      actorId: actor.id,
      action: "branch.settings",
      target: branch.name,
      details: JSON.parse(JSON.stringify(changes)) as Record<string, never>,
      ip: options.ip ?? null,
    },
  });
  if (outcome === "changed") {
    throw new DomainError("conflict", "The branch changed stage or was deleted meanwhile; reload the page and try again.");
  }
  return { changed };
}
