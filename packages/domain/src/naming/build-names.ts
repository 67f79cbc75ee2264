// Deterministic names of a build's resources (docs/product/builds-and-tests.md, containers-and-isolation.md):
//   hostname   production `<project>.<base>`, others `<project>--<branch>-<build>.<base>`
//   database   production `<project>`, others `<project>--<branch>-<build>` (≤ 63 bytes, ASCII)
//   container  `slipway-<project>--<branch>-<build>` (+ `-<step>` for one-off runs)
//   volume     `slipway-<database>-data` (one per database: the filestore outlives builds)
// Every label is at most 63 characters (DNS label and PostgreSQL identifier limit).
//
// Names of two different (project, branch, build) can never be equal, by construction (ADR 0005):
// project slugs never contain `--` and branch labels never contain `--` either, so the project is
// exactly what precedes the first `--`; production names have no `--` at all; the build number is
// unique within a project and always ends a non-production name; step names are letters only, so a
// step container (`…-<n>-<letters>`) never equals a build's container (`…-<n>`).
import { DomainError } from "../errors";
import { branchLabel } from "./branch-label";
import { assertProjectSlug } from "./project-slug";

export const MAX_LABEL_LENGTH = 63;
/** Ends the project part of every non-production name; never inside a slug or a branch label. */
export const PROJECT_SEPARATOR = "--";

export type NamingStage = "production" | "staging" | "development";

export interface BuildNameInput {
  project: string;
  branch: string;
  buildNumber: number;
}

export interface BuildResourceNames {
  /** `<project>-<branch>-<build>`, unique per build of a project. */
  buildLabel: string;
  hostname: string;
  databaseName: string;
  containerName: string;
  volumeName: string;
}

export function buildLabel(input: BuildNameInput): string {
  assertProjectSlug(input.project);
  if (!Number.isSafeInteger(input.buildNumber) || input.buildNumber < 1) {
    throw new DomainError("invalid_input", `invalid build number ${input.buildNumber}`);
  }
  const suffix = String(input.buildNumber);
  const room = MAX_LABEL_LENGTH - input.project.length - suffix.length - PROJECT_SEPARATOR.length - 1;
  return `${input.project}${PROJECT_SEPARATOR}${branchLabel({ branch: input.branch, maxLength: room })}-${suffix}`;
}

export function databaseName(input: BuildNameInput & { stage: NamingStage }): string {
  if (input.stage === "production") {
    assertProjectSlug(input.project);
    return input.project;
  }
  return buildLabel(input);
}

export function buildHostname(input: BuildNameInput & { stage: NamingStage; baseDomain: string }): string {
  const domain = normalizeBaseDomain(input.baseDomain);
  const label = input.stage === "production" ? (assertProjectSlug(input.project), input.project) : buildLabel(input);
  const hostname = `${label}.${domain}`;
  if (hostname.length > 253) throw new DomainError("invalid_input", `hostname ${hostname} is longer than 253 characters`);
  return hostname;
}

export function containerName(input: BuildNameInput & { step?: string }): string {
  const base = `slipway-${buildLabel(input)}`;
  if (input.step === undefined) return base;
  if (!/^[a-z]{1,31}$/.test(input.step)) throw new DomainError("invalid_input", `invalid step name "${input.step}"`);
  return `${base}-${input.step}`;
}

/**
 * The project a resource name belongs to: the slug before the first `--` (non-production) or the
 * whole name (production database and hostname label). Inverse of the scheme above.
 */
export function projectOfName(name: string): string {
  const at = name.indexOf(PROJECT_SEPARATOR);
  return at === -1 ? name : name.slice(0, at);
}

/**
 * Whether `database` is one a build of (project, stage, number) may own, and so drop: production's
 * is the project's own name; any other stage's ends with its build number, inside its project.
 */
export function buildOwnsDatabase(input: { project: string; stage: NamingStage; buildNumber: number; database: string }): boolean {
  if (input.stage === "production") return input.database === input.project;
  return (
    input.database.includes(PROJECT_SEPARATOR) &&
    projectOfName(input.database) === input.project &&
    input.database.endsWith(`-${input.buildNumber}`)
  );
}

export function volumeName(options: { databaseName: string }): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(options.databaseName)) {
    throw new DomainError("invalid_input", `invalid database name "${options.databaseName}"`);
  }
  return `slipway-${options.databaseName}-data`;
}

export function buildResourceNames(input: BuildNameInput & { stage: NamingStage; baseDomain: string }): BuildResourceNames {
  const db = databaseName(input);
  return {
    buildLabel: buildLabel(input),
    hostname: buildHostname(input),
    databaseName: db,
    containerName: containerName(input),
    volumeName: volumeName({ databaseName: db }),
  };
}

/** `Slipway.Localhost.` → `slipway.localhost`; each label must be a valid DNS label. */
export function normalizeBaseDomain(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, "");
  const ok = d.length > 0 && d.split(".").every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
  if (!ok) throw new DomainError("invalid_input", `invalid base domain "${domain}"`);
  return d;
}
