// Which credentials a project's GitHub calls use (docs/decisions/0010-github-credentials.md):
// the platform's GitHub App when it is installed on the project's repository (an installation token
// minted for this use), else the project's own fine-grained token, else none. Callers decrypt the
// stored secrets (packages/config) and pass them in; nothing here logs or returns them.
import { createGitHubClient, isGitHubStatus, type GitHubClient, type GitHubClientOptions } from "./client";

export interface GitHubAppSecret {
  /** The App's numeric id (JWT issuer). */
  readonly appId: number;
  /** Its private key (PEM), decrypted for this use. */
  readonly privateKey: string;
}

export interface ProjectCredentialsInput {
  /** REST API base URL (config.github.apiUrl). */
  readonly apiUrl: string;
  /** The project's GitHub repository; null for other hosts. */
  readonly repository: { readonly owner: string; readonly repo: string } | null;
  /** The project's fine-grained token (decrypted), if one is set. */
  readonly token: string | null;
  /** The platform's GitHub App (decrypted key), if one was created. */
  readonly app: GitHubAppSecret | null;
  readonly limits?: GitHubClientOptions["limits"];
  readonly onLimit?: GitHubClientOptions["onLimit"];
}

export type ProjectGitHubClient =
  | {
      readonly via: "app";
      readonly client: GitHubClient;
      readonly owner: string;
      readonly repo: string;
      readonly installationId: number;
    }
  | {
      readonly via: "token";
      readonly client: GitHubClient;
      readonly owner: string;
      readonly repo: string;
      /** Why the App was not used although one exists (not installed on the repository, GitHub refused the App…). */
      readonly appProblem: string | null;
    }
  | { readonly via: "none"; readonly reason: string };

/** The installation of `app` on owner/repo (GET /repos/{owner}/{repo}/installation, app JWT), or null when not installed. */
export async function findAppInstallation(
  options: { apiUrl: string; app: GitHubAppSecret; owner: string; repo: string } & Pick<GitHubClientOptions, "limits" | "onLimit">,
): Promise<number | null> {
  const appClient = createGitHubClient({
    baseUrl: options.apiUrl,
    auth: { kind: "app", appId: options.app.appId, privateKey: options.app.privateKey },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onLimit ? { onLimit: options.onLimit } : {}),
  });
  try {
    const { data } = await appClient.rest.apps.getRepoInstallation({ owner: options.owner, repo: options.repo });
    return data.id;
  } catch (error) {
    if (isGitHubStatus(error, 404)) return null;
    throw error;
  }
}

function describe(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? `GitHub answered HTTP ${status} to the App` : "GitHub could not be reached for the App";
}

/**
 * A GitHub client for one project: the App installation (tokens minted on first use, for this client
 * only) → the project's token → none (with the reason, for the settings page and skipped jobs).
 */
export async function projectGitHubClient(input: ProjectCredentialsInput): Promise<ProjectGitHubClient> {
  if (!input.repository) return { via: "none", reason: "The repository is not on GitHub." };
  const { owner, repo } = input.repository;
  const common = { ...(input.limits ? { limits: input.limits } : {}), ...(input.onLimit ? { onLimit: input.onLimit } : {}) };
  let appProblem: string | null = null;
  if (input.app) {
    try {
      const installationId = await findAppInstallation({ apiUrl: input.apiUrl, app: input.app, owner, repo, ...common });
      if (installationId !== null) {
        const client = createGitHubClient({
          baseUrl: input.apiUrl,
          auth: { kind: "app-installation", appId: input.app.appId, privateKey: input.app.privateKey, installationId },
          ...common,
        });
        return { via: "app", client, owner, repo, installationId };
      }
      appProblem = `The GitHub App is not installed on ${owner}/${repo}.`;
    } catch (error) {
      appProblem = `${describe(error)}.`;
    }
  }
  if (input.token) {
    const client = createGitHubClient({ baseUrl: input.apiUrl, auth: { kind: "token", token: input.token }, ...common });
    return { via: "token", client, owner, repo, appProblem };
  }
  return {
    via: "none",
    reason: appProblem ?? "No GitHub App is set up and the project has no GitHub token.",
  };
}
