// A branch's settings (the seed's branch "Settings" tab, odoo_sh/getting_started/branches.md):
// behaviour upon new commits (development and staging), module installation, test suite and Odoo
// version/revision (development only). The rules of what each stage shows, how a form's values are
// checked and normalized, and which image a development build starts from.
import { DomainError } from "../errors";
import { checkModuleName } from "../modules/module-name";
import type { PushBehavior } from "../stages/plan-stage-move";
import type { BuildContext } from "./build-context";
import type { InstallMode, Stage } from "./steps";

/** The Odoo series a project or a development branch may run. */
export const odooSeries = ["16.0", "17.0", "18.0"] as const;
export type OdooSeries = (typeof odooSeries)[number];

export const installModes = ["own_modules", "full", "list"] as const satisfies readonly InstallMode[];
export const pushBehaviors = ["new_build", "update_previous", "do_nothing"] as const satisfies readonly PushBehavior[];

export interface BranchSettings {
  pushBehavior: PushBehavior;
  installMode: InstallMode;
  installModules: string[];
  testsEnabled: boolean;
  testTags: string | null;
  /** Another Odoo series than the project's (development only); null = the project's. */
  odooVersion: string | null;
  /** A pinned image revision (development only): `YYYYMMDD` or `sha256:<hex>`; null = Latest. */
  odooRevision: string | null;
}

/** The seed's "Use Default" development build behaviour: only my modules, tests on, every test tag. */
export const defaultDevelopmentBehaviour = { installMode: "own_modules", installModules: [], testsEnabled: true, testTags: null } as const;

export function usesDefaultBehaviour(s: Pick<BranchSettings, "installMode" | "installModules" | "testsEnabled" | "testTags">): boolean {
  return s.installMode === "own_modules" && s.installModules.length === 0 && s.testsEnabled && !s.testTags;
}

/** What the Settings tab shows for a branch of a stage (the seed's "options vary for each stage"). */
export interface StageSettings {
  /** Behaviour upon new commits: the choices, in the seed's order; empty = not a setting of this stage. */
  pushBehaviors: readonly PushBehavior[];
  /** Module installation and test suite. */
  developmentBehaviour: boolean;
  /** Odoo version and revision. */
  odooVersion: boolean;
}

export function stageSettings(stage: Stage): StageSettings {
  switch (stage) {
    case "development":
      // Seed: "By default, a development branch creates a new build"; a branch moved back from staging "Do nothing".
      return { pushBehaviors: ["new_build", "do_nothing"], developmentBehaviour: true, odooVersion: true };
    case "staging":
      // Seed: "a staging branch updates the previous build"; "New build" = a fresh copy of production each push.
      return { pushBehaviors: ["update_previous", "new_build", "do_nothing"], developmentBehaviour: false, odooVersion: false };
    case "production":
      return { pushBehaviors: [], developmentBehaviour: false, odooVersion: false };
  }
}

export const pushBehaviorLabels: Record<PushBehavior, string> = {
  new_build: "New build",
  update_previous: "Update previous build",
  do_nothing: "Do nothing",
};

export const installModeLabels: Record<InstallMode, string> = {
  own_modules: "Install only my modules (does not include submodules)",
  full: "Full installation (no test suite)",
  list: "Install a list of modules",
};

const MAX_TEST_TAGS = 500;
const MAX_MODULES = 200;
/**
 * The `--test-tags` of a development build's install (issue 15). The branch's own tags when it has
 * some; otherwise the standard tests of the modules the build installs (`/<module>` each), so the
 * verdict is about the branch's code — without tags Odoo also runs the tests of every dependency
 * installed in the same run (`payment`, `sale`, …). `standard` as the branch's tags runs them all.
 */
export function developmentTestTags(options: { testTags: string | null; modules: readonly string[] }): string | undefined {
  if (options.testTags) return options.testTags;
  return options.modules.length > 0 ? options.modules.map((m) => `/${m}`).join(",") : undefined;
}

// One `--test-tags` spec, as Odoo's TagsSelector reads it: [-|+][tag|*][/module][:class][.method].
const TEST_TAG_SPEC = /^[+-]?(\*|[A-Za-z0-9_]*)(\/[A-Za-z0-9_]+)?(:[A-Za-z0-9_]+)?(\.[A-Za-z0-9_]+)?$/;

/**
 * Checks test tags as typed (`custom_tags, at_install,post_install`) and returns Odoo's
 * `--test-tags` value (specs joined by commas, no spaces); null when empty (every test runs).
 */
export function parseTestTags(raw: string): string | null {
  const specs = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length === 0) return null;
  const bad = specs.filter((s) => !TEST_TAG_SPEC.test(s) || /^[+-]?$/.test(s));
  if (bad.length > 0) {
    throw new DomainError(
      "invalid_input",
      `Invalid test tag${bad.length === 1 ? "" : "s"}: ${bad.map((b) => JSON.stringify(b)).join(", ")}. A tag is [-]tag[/module][:class][.method] with letters, digits and underscores, e.g. custom_tags,at_install,-/my_module:TestSlow.`,
      { details: { field: "testTags", invalid: bad } },
    );
  }
  const value = [...new Set(specs)].join(",");
  if (value.length > MAX_TEST_TAGS) {
    throw new DomainError("invalid_input", `The test tags are longer than ${MAX_TEST_TAGS} characters.`, {
      details: { field: "testTags" },
    });
  }
  return value;
}

/**
 * A list of modules as typed (technical names separated by commas, e.g. sale_management,website):
 * checked, without duplicates, in the order given. `known`: the modules the branch's last build
 * found (null when it has none yet); a name outside it is refused.
 */
export function parseModuleList(raw: string, known: readonly string[] | null): string[] {
  const names = [
    ...new Set(
      raw
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
  if (names.length === 0) {
    throw new DomainError("invalid_input", "Enter at least one module to install, e.g. sale_management,website.", {
      details: { field: "installModules" },
    });
  }
  if (names.length > MAX_MODULES) {
    throw new DomainError("invalid_input", `At most ${MAX_MODULES} modules can be listed.`, { details: { field: "installModules" } });
  }
  const invalid = names.map(checkModuleName).flatMap((c) => (c.ok ? [] : [c.reason]));
  if (invalid.length > 0)
    throw new DomainError("invalid_input", `${invalid.join("; ")}.`, { details: { field: "installModules", invalid } });
  if (known) {
    const knownSet = new Set(known);
    const unknown = names.filter((n) => !knownSet.has(n));
    if (unknown.length > 0) {
      throw new DomainError(
        "invalid_input",
        `Unknown module${unknown.length === 1 ? "" : "s"}: ${unknown.join(", ")} — not found in the branch's addons folders by its last build (found: ${known.length > 0 ? known.join(", ") : "none"}).`,
        { details: { field: "installModules", unknown } },
      );
    }
  }
  return names;
}

const DATE_REVISION = /^(\d{4})(\d{2})(\d{2})$/;
const DIGEST_REVISION = /^sha256:[a-f0-9]{64}$/;

/**
 * An Odoo revision as typed: "" or "latest" → null (Latest: the image's version tag, updated when
 * the image is), a date `YYYYMMDD` (the official image's dated tags, e.g. odoo:17.0-20250110) or
 * an image digest `sha256:<64 hex>`.
 */
export function parseOdooRevision(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  if (value === "" || value === "latest") return null;
  const date = DATE_REVISION.exec(value);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const t = new Date(Date.UTC(y, m - 1, d));
    if (t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 2015) return value;
  }
  if (DIGEST_REVISION.test(value)) return value;
  throw new DomainError(
    "invalid_input",
    `Invalid revision "${raw.trim().slice(0, 80)}": leave it empty for Latest, or enter a date YYYYMMDD (a dated image tag such as 17.0-20250110) or an image digest sha256:….`,
    { details: { field: "odooRevision" } },
  );
}

/**
 * The image a development branch's builds start from: the project's image with the branch's Odoo
 * version in place of the project's in its tag (odoo:17.0 → odoo:18.0) and its revision pinned
 * (a date → odoo:17.0-20250110; a digest → odoo:17.0@sha256:…). Throws when the project's image
 * does not name its version in its tag, so another version cannot be derived from it.
 */
export function developmentOdooImage(options: {
  projectImage: string;
  projectVersion: string;
  odooVersion: string | null;
  odooRevision: string | null;
}): string {
  const { projectImage, projectVersion, odooVersion, odooRevision } = options;
  if ((!odooVersion || odooVersion === projectVersion) && !odooRevision) return projectImage;
  const at = projectImage.indexOf("@");
  const withoutDigest = at < 0 ? projectImage : projectImage.slice(0, at);
  const colon = withoutDigest.lastIndexOf(":");
  const hasTag = colon > withoutDigest.lastIndexOf("/");
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  let tag = hasTag ? withoutDigest.slice(colon + 1) : "latest";
  if (odooVersion && odooVersion !== projectVersion) {
    if (!tag.includes(projectVersion)) {
      throw new DomainError(
        "invalid_input",
        `The project's image ${projectImage} does not carry its version ${projectVersion} in its tag, so no image of Odoo ${odooVersion} can be derived from it; change the project's image instead.`,
        { details: { field: "odooVersion" } },
      );
    }
    tag = tag.replace(projectVersion, odooVersion);
  }
  if (odooRevision && DIGEST_REVISION.test(odooRevision)) return `${name}:${tag}@${odooRevision}`;
  if (odooRevision) return `${name}:${tag}-${odooRevision}`;
  // Another version: the project's digest (if any) pins the project's version, not this one.
  return `${name}:${tag}`;
}

/** The image a build starts from: a development build's branch may pick its own version and revision. */
export function buildOdooImage(context: Pick<BuildContext, "build" | "branch" | "project">): string {
  const { build, branch, project } = context;
  if (build.stage !== "development") return project.odooImage;
  return developmentOdooImage({
    projectImage: project.odooImage,
    projectVersion: project.odooVersion,
    odooVersion: branch.odooVersion,
    odooRevision: branch.odooRevision,
  });
}

/** The Settings tab's form, already parsed from its fields (absent = the form did not show it). */
export interface BranchSettingsInput {
  pushBehavior?: PushBehavior;
  useDefault?: boolean;
  installMode?: InstallMode;
  installModules?: string;
  testsEnabled?: boolean;
  testTags?: string;
  odooVersion?: string;
  odooRevision?: string;
}

export type SettingsChanges = Partial<Record<keyof BranchSettings, { from: unknown; to: unknown }>>;

const stageNames: Record<Stage, string> = { production: "production", staging: "staging", development: "development" };

/**
 * The settings a branch of `stage` gets from a submitted form: every field checked against what
 * the seed lets this stage change, nothing applied unless all of it is valid. Returns the new
 * settings and what changed (from → to), for the audit entry.
 */
export function planBranchSettings(options: {
  stage: Stage;
  current: BranchSettings;
  input: BranchSettingsInput;
  /** Modules found by the branch's last build (null: none yet — names are only checked for form). */
  knownModules: readonly string[] | null;
  project: { odooImage: string; odooVersion: string };
}): { next: BranchSettings; changes: SettingsChanges } {
  const { stage, current, input, project } = options;
  const allowed = stageSettings(stage);
  const refuse = (what: string) => {
    throw new DomainError("invalid_input", `${what} is not a setting of ${stageNames[stage]} branches.`, { details: { stage } });
  };
  if (stage === "production") {
    throw new DomainError(
      "invalid_input",
      "Production branches have none of these settings: behaviour upon new commits, module installation, test suite and Odoo version are for development and staging branches.",
      { details: { stage } },
    );
  }
  const next: BranchSettings = { ...current, installModules: [...current.installModules] };

  if (input.pushBehavior !== undefined) {
    if (!allowed.pushBehaviors.includes(input.pushBehavior)) {
      throw new DomainError(
        "invalid_input",
        `"${pushBehaviorLabels[input.pushBehavior] ?? String(input.pushBehavior)}" is not a behaviour of ${stageNames[stage]} branches; choose ${allowed.pushBehaviors.map((p) => pushBehaviorLabels[p]).join(", ")}.`,
        { details: { field: "pushBehavior" } },
      );
    }
    next.pushBehavior = input.pushBehavior;
  }

  const developmentFields = [input.useDefault, input.installMode, input.installModules, input.testsEnabled, input.testTags];
  if (developmentFields.some((f) => f !== undefined)) {
    if (!allowed.developmentBehaviour) refuse("Module installation and the test suite");
    if (input.useDefault) {
      Object.assign(next, { ...defaultDevelopmentBehaviour, installModules: [] });
    } else {
      const mode = input.installMode ?? current.installMode;
      if (!(installModes as readonly string[]).includes(mode)) {
        throw new DomainError("invalid_input", `Unknown module installation "${String(mode)}".`, { details: { field: "installMode" } });
      }
      next.installMode = mode;
      next.installModules =
        mode === "list" ? parseModuleList(input.installModules ?? current.installModules.join(","), options.knownModules) : [];
      if (input.testsEnabled !== undefined) next.testsEnabled = input.testsEnabled;
      if (input.testTags !== undefined) next.testTags = parseTestTags(input.testTags);
    }
  }

  if (input.odooVersion !== undefined || input.odooRevision !== undefined) {
    if (!allowed.odooVersion) refuse("The Odoo version");
    if (input.odooVersion !== undefined) {
      const v = input.odooVersion.trim();
      if (v !== "" && !(odooSeries as readonly string[]).includes(v)) {
        throw new DomainError("invalid_input", `Unknown Odoo version "${v.slice(0, 20)}"; choose ${odooSeries.join(", ")}.`, {
          details: { field: "odooVersion" },
        });
      }
      next.odooVersion = v === "" || v === project.odooVersion ? null : v;
    }
    if (input.odooRevision !== undefined) next.odooRevision = parseOdooRevision(input.odooRevision);
    // Refused now rather than at the next build: the image must be derivable.
    developmentOdooImage({
      projectImage: project.odooImage,
      projectVersion: project.odooVersion,
      odooVersion: next.odooVersion,
      odooRevision: next.odooRevision,
    });
  }

  const changes: SettingsChanges = {};
  for (const key of Object.keys(next) as (keyof BranchSettings)[]) {
    const [a, b] = [current[key], next[key]];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { from: a, to: b };
  }
  return { next, changes };
}
