import { saveProjectSettings, type Db, type ProjectSummary } from "@slipway/db";
import { DomainError, odooSeries } from "@slipway/domain";
import { z } from "zod";
import type { ProjectAccess } from "../access";
import { assertImageAllowed, assertRepositoryAllowed, refusalMessage, type ProjectCreationPolicy } from "./creation-policy";
import { validateNewProject, type ValidNewProject } from "./new-project";

/** The Settings page's "Project" form (seed settings.md: project name; issue 14: image, version, repository). */
const formSchema = z.object({
  name: z.string().max(200),
  publicAccess: z.boolean(),
  odooVersion: z.string().max(20),
  odooImage: z.string().max(300),
  repoUrl: z.string().max(1000),
});
export type ProjectSettingsInput = z.infer<typeof formSchema>;
/** Refusals per field; `form` for one about the project itself. */
export type ProjectSettingsErrors = Partial<Record<keyof ProjectSettingsInput | "form", string>>;

/**
 * Checks the form against the same rules as the new-project form (name, repository URL, version,
 * image reference), the slug and base domain being the project's own (they never change), plus:
 * an image whose tag names another Odoo series than the chosen version is refused.
 */
export function checkProjectSettings(
  project: Pick<ProjectSummary, "slug" | "baseDomain">,
  raw: unknown,
): { ok: true; value: ValidNewProject } | { ok: false; errors: ProjectSettingsErrors } {
  const parsed = formSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError("invalid_input", "The settings form is malformed; reload the page and try again.");
  const input = parsed.data;
  const checked = validateNewProject({ ...input, slug: project.slug, baseDomain: project.baseDomain });
  if (!checked.ok) {
    const { slug, baseDomain, ...fields } = checked.errors;
    return { ok: false, errors: { ...fields, ...(slug || baseDomain ? { form: slug ?? baseDomain } : {}) } };
  }
  const tagVersion = odooSeries.find((v) => imageTag(checked.value.odooImage).includes(v));
  if (tagVersion && tagVersion !== checked.value.odooVersion) {
    return {
      ok: false,
      errors: {
        odooImage: `The image ${checked.value.odooImage} is Odoo ${tagVersion} but the version chosen is ${checked.value.odooVersion}; change both together.`,
      },
    };
  }
  return checked;
}

function imageTag(image: string): string {
  const noDigest = image.split("@")[0]!;
  const colon = noDigest.lastIndexOf(":");
  return colon > noDigest.lastIndexOf("/") ? noDigest.slice(colon + 1) : "";
}

export type ProjectSettingsResult = { ok: true; changed: string[] } | { ok: false; errors: ProjectSettingsErrors };

/**
 * Project settings an admin changes from the Settings page: display name, public access, Odoo
 * version, image and repository. The slug — in every hostname, database, container and network
 * name — never changes (docs/decisions/0006-project-slug-is-permanent.md), so renaming changes the
 * name shown everywhere and nothing a running build depends on. New values apply to future builds:
 * builds already made keep the image, version and revision they were built from. Admins only;
 * nothing is written unless every field is valid; the change and its audit entry are one write.
 */
export async function updateProjectSettings(
  deps: { prisma: Db; policy: Pick<ProjectCreationPolicy, "odooImages" | "localReposRoot" | "resolveHost"> },
  options: { access: ProjectAccess; input: ProjectSettingsInput; ip?: string | null },
): Promise<ProjectSettingsResult> {
  const { access, ip } = options;
  access.assert({ action: "project_settings" });
  const before = access.project;
  const checked = checkProjectSettings(before, options.input);
  if (!checked.ok) return checked;
  const { name, repo, odooVersion, odooImage } = checked.value;
  const errors: ProjectSettingsErrors = {};
  if (repo.url !== before.repoUrl) {
    await assertRepositoryAllowed(repo, deps.policy).catch((e: unknown) => (errors.repoUrl = refusalMessage(e)));
  }
  if (odooImage !== before.odooImage) {
    try {
      assertImageAllowed(odooImage, deps.policy.odooImages);
    } catch (e) {
      errors.odooImage = refusalMessage(e);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const after = { name, publicAccess: options.input.publicAccess, odooVersion, odooImage, repoUrl: repo.url };
  const changes: Record<string, { from: string | boolean; to: string | boolean }> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
  }
  const changed = Object.keys(changes);
  if (changed.length === 0) return { ok: true, changed };
  await saveProjectSettings(deps.prisma, {
    projectId: before.id,
    settings: {
      ...after,
      repoKind: repo.kind === "github" ? "github" : "generic",
      githubOwner: repo.github?.owner ?? null,
      githubRepo: repo.github?.repo ?? null,
    },
    audit: {
      projectId: before.id,
      actorId: access.userId,
      action: "project.settings",
      target: before.slug,
      details: changes,
      ip: ip ?? null,
    },
  });
  return { ok: true, changed };
}
