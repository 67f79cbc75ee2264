// A project's slug names its production hostname (`<slug>.<base-domain>`), its production database
// and the prefix of every build's names, so it must be a DNS label and a safe database name.
import { DomainError } from "../errors";

// Three: a two-letter slug followed by `--` would form a reserved DNS label (`ab--…`, like `xn--`).
export const PROJECT_SLUG_MIN = 3;
export const PROJECT_SLUG_MAX = 40;
// The production database is named after the project: never one of PostgreSQL's own.
// `odoo`: the single shared role of clusters made before per-database roles (ADR 0005) still owns
// their old databases; a project of that name would give it a login again.
const RESERVED = new Set(["postgres", "template0", "template1", "odoo"]);

export type SlugCheck = { ok: true } | { ok: false; reason: string };

export function checkProjectSlug(slug: string): SlugCheck {
  const fail = (reason: string): SlugCheck => ({ ok: false, reason });
  if (slug.length < PROJECT_SLUG_MIN) return fail(`the project name must have at least ${PROJECT_SLUG_MIN} characters`);
  if (slug.length > PROJECT_SLUG_MAX) return fail(`the project name must have at most ${PROJECT_SLUG_MAX} characters`);
  if (/[A-Z]/.test(slug)) return fail("the project name must be lowercase");
  if (!/^[a-z0-9-]+$/.test(slug)) return fail("the project name may only contain lowercase letters, digits and hyphens");
  if (slug.startsWith("-") || slug.endsWith("-")) return fail("the project name cannot start or end with a hyphen");
  // `xx--` is reserved in DNS labels (IDNA, e.g. xn--); consecutive hyphens are refused altogether.
  if (slug.includes("--")) return fail("the project name cannot contain two hyphens in a row");
  if (RESERVED.has(slug)) return fail(`"${slug}" is reserved`);
  return { ok: true };
}

export function assertProjectSlug(slug: string): void {
  const check = checkProjectSlug(slug);
  if (!check.ok) throw new DomainError("invalid_input", check.reason, { details: { field: "slug", value: slug } });
}
