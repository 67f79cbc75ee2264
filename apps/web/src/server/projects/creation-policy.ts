import { DomainError, isDomainError } from "@slipway/domain";
import { assertPublicRepoHost, resolveLocalRepo, type ParsedRepoUrl } from "@slipway/git";

/** Who may create projects and from what (WebConfig.projects, plus the resolver for tests). */
export interface ProjectCreationPolicy {
  /** Logins allowed to create projects besides platform superusers. */
  creators: readonly string[];
  /** Local-path repositories must be inside this folder; undefined: local repositories are refused. */
  localReposRoot?: string;
  /** Glob patterns (`*` any characters, `?` one) of the images a project may use. */
  odooImages: readonly string[];
  /** Host name → addresses, to refuse names resolving to private addresses (default: the system resolver). */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface ProjectCreator {
  login: string;
  isSuperuser: boolean;
}

/** Platform superusers (the local admin) and the logins of the allowlist (case-insensitive). */
export function mayCreateProjects(user: ProjectCreator, creators: readonly string[]): boolean {
  if (user.isSuperuser) return true;
  const login = user.login.toLowerCase();
  return creators.some((c) => c.toLowerCase() === login);
}

export function assertMayCreateProjects(user: ProjectCreator, creators: readonly string[]): void {
  if (!mayCreateProjects(user, creators)) {
    throw new DomainError(
      "forbidden",
      "Only platform administrators (and the logins listed in SLIPWAY_PROJECT_CREATORS) may create projects; ask one to create it and add you as a collaborator.",
    );
  }
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${body}$`);
}

/** Whether `image` (a full reference such as odoo:17.0) matches one of the patterns. */
export function imageAllowed(image: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(image));
}

export function assertImageAllowed(image: string, patterns: readonly string[]): void {
  if (!imageAllowed(image, patterns)) {
    throw new DomainError("invalid_input", `The image ${image} is not allowed on this Slipway; allowed: ${patterns.join(", ")}.`);
  }
}

/**
 * A repository Slipway may fetch: a local path inside the configured root, or a network URL whose
 * host is public (literal checks and, for names, what they resolve to now).
 */
export async function assertRepositoryAllowed(
  repo: ParsedRepoUrl,
  policy: Pick<ProjectCreationPolicy, "localReposRoot" | "resolveHost">,
): Promise<void> {
  if (repo.kind === "local") {
    await resolveLocalRepo(repo, policy.localReposRoot);
    return;
  }
  await assertPublicRepoHost(repo, { resolve: policy.resolveHost });
}

/** The message of an invalid_input refusal, or rethrows anything else. */
export function refusalMessage(error: unknown): string {
  if (isDomainError(error, "invalid_input")) return error.message;
  throw error;
}
