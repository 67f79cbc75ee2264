import { DomainError } from "@slipway/domain";

export type RepoUrlKind = "github" | "ssh" | "https" | "local";

export interface ParsedRepoUrl {
  url: string;
  kind: RepoUrlKind;
  /** owner/name for GitHub URLs. */
  github?: { owner: string; repo: string };
}

const GITHUB_HTTPS = /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/;
const GITHUB_SSH = /^(?:ssh:\/\/)?git@github\.com[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?$/;
const SSH = /^(?:ssh:\/\/[^@\s]+@[^\s/:]+(?::\d+)?\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;
const HTTPS = /^https?:\/\/[^\s/]+\/\S+$/;

/**
 * Validates a repository URL: GitHub (https or ssh), any ssh/https Git URL, or an absolute local
 * path / file:// URL (self-hosted Git on the same machine, tests). Anything else is refused, and
 * so is anything that git could read as an option (a leading "-").
 */
export function parseRepoUrl(input: string): ParsedRepoUrl {
  const url = input.trim();
  if (!url) throw new DomainError("invalid_input", "The repository URL is empty.");
  if (url.startsWith("-") || /[\s\0]/.test(url)) throw new DomainError("invalid_input", `"${url}" is not a valid repository URL.`);
  const gh = GITHUB_HTTPS.exec(url) ?? GITHUB_SSH.exec(url);
  if (gh) return { url, kind: "github", github: { owner: gh[1]!, repo: gh[2]! } };
  if (url.startsWith("file:///") || url.startsWith("/")) {
    if (url.split("/").includes("..")) throw new DomainError("invalid_input", "A local repository path must not contain '..'.");
    return { url, kind: "local" };
  }
  if (SSH.test(url)) return { url, kind: "ssh" };
  if (HTTPS.test(url)) return { url, kind: "https" };
  throw new DomainError(
    "invalid_input",
    `"${url}" is not a Git URL Slipway understands: use https://…, git@host:owner/repo.git, ssh://… or an absolute local path.`,
  );
}
