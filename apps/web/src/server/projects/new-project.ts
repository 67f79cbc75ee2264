import { checkProjectSlug, isDomainError, normalizeBaseDomain } from "@slipway/domain";
import { parseRepoUrl, type ParsedRepoUrl } from "@slipway/git";

export const odooVersions = ["16.0", "17.0", "18.0"] as const;
export type OdooVersion = (typeof odooVersions)[number];

export interface NewProjectInput {
  name: string;
  slug: string;
  repoUrl: string;
  odooVersion: string;
  odooImage: string;
  baseDomain: string;
}

export type NewProjectErrors = Partial<Record<keyof NewProjectInput, string>>;

export interface ValidNewProject {
  name: string;
  slug: string;
  repo: ParsedRepoUrl;
  odooVersion: OdooVersion;
  odooImage: string;
  baseDomain: string;
}

// Same shape the platform accepts for its own images (packages/config): registry/name:tag or @digest.
const DOCKER_IMAGE = /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]{1,128})?(@sha256:[a-f0-9]{64})?$/;

const capitalize = (s: string) => `${s[0]?.toUpperCase() ?? ""}${s.slice(1)}`;

/** Checks every field of the new-project form; every problem is reported next to its field. */
export function validateNewProject(input: NewProjectInput): { ok: true; value: ValidNewProject } | { ok: false; errors: NewProjectErrors } {
  const errors: NewProjectErrors = {};
  const name = input.name.trim();
  if (!name) errors.name = "Enter a name for the project.";
  else if (name.length > 100) errors.name = "The name must have at most 100 characters.";

  const slug = input.slug.trim();
  const slugCheck = checkProjectSlug(slug);
  if (!slugCheck.ok) errors.slug = `${capitalize(slugCheck.reason)}.`;

  let repo: ParsedRepoUrl | undefined;
  try {
    repo = parseRepoUrl(input.repoUrl);
  } catch (e) {
    if (!isDomainError(e, "invalid_input")) throw e;
    errors.repoUrl = e.message;
  }

  const odooVersion = odooVersions.find((v) => v === input.odooVersion);
  if (!odooVersion) errors.odooVersion = `Choose an Odoo version: ${odooVersions.join(", ")}.`;

  // A `{version}` placeholder (the configured default template) stands for the chosen version.
  const odooImage = input.odooImage.trim().replaceAll("{version}", odooVersion ?? "");
  if (!DOCKER_IMAGE.test(odooImage))
    errors.odooImage = "Enter a Docker image reference such as odoo:17.0 or registry.example.com/odoo:17.0.";

  let baseDomain = "";
  try {
    baseDomain = normalizeBaseDomain(input.baseDomain);
  } catch (e) {
    if (!isDomainError(e, "invalid_input")) throw e;
    errors.baseDomain = "Enter a domain name such as slipway.example.com (letters, digits and hyphens between dots).";
  }

  if (Object.keys(errors).length > 0 || !repo || !odooVersion) return { ok: false, errors };
  return { ok: true, value: { name, slug, repo, odooVersion, odooImage, baseDomain } };
}
