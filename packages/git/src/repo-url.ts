import { lookup } from "node:dns/promises";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DomainError } from "@slipway/domain";
import { isLocalHostName, isNonPublicAddress } from "./private-address";

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
  // A backslash or a second "@" is read differently by URL parsers, curl and ssh: never ambiguous.
  if (url.startsWith("-") || /[\s\0\\]/.test(url)) throw new DomainError("invalid_input", `"${url}" is not a valid repository URL.`);
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

/**
 * The host a network repository URL connects to (lower case, IPv6 without brackets), or null for a
 * local repository. For http(s) it is the WHATWG parser's host, which already normalises the
 * decimal/hex/octal IPv4 forms and percent-encoding the way curl resolves them.
 */
export function repoUrlHost(repo: ParsedRepoUrl): string | null {
  if (repo.kind === "local") return null;
  if (repo.kind === "github") return "github.com";
  if (repo.kind === "https") {
    const authority = /^https?:\/\/([^/?#]*)/.exec(repo.url)?.[1] ?? "";
    if ((authority.match(/@/g) ?? []).length > 1)
      throw new DomainError("invalid_input", `"${repo.url}" has an ambiguous user part (more than one "@").`);
    let hostname: string;
    try {
      hostname = new URL(repo.url).hostname;
    } catch {
      throw new DomainError("invalid_input", `"${repo.url}" is not a valid URL.`);
    }
    return hostname.replace(/^\[|\]$/g, "").toLowerCase();
  }
  const ssh = /^ssh:\/\/[^@\s]+@([^\s/:]+)/.exec(repo.url) ?? /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):/.exec(repo.url);
  const host = ssh?.[1] ?? "";
  if (!/^[A-Za-z0-9.-]+$/.test(host) || host.startsWith("-"))
    throw new DomainError("invalid_input", `"${repo.url}" does not name a valid host.`);
  return host.toLowerCase();
}

function privateHostError(url: string, host: string, resolved?: string): DomainError {
  const how = resolved ? ` (${host} resolves to ${resolved})` : "";
  return new DomainError(
    "invalid_input",
    `"${url}" points at a loopback, link-local, private or reserved address${how}: Slipway only fetches repositories from public hosts.`,
  );
}

/**
 * Refuses a network URL whose host is this machine or a non-public network: localhost names, IP
 * literals in any notation, and — when `resolve` is given — names resolving to such an address
 * (checked at creation; a name that does not resolve yet is accepted, git will fail on it).
 */
export async function assertPublicRepoHost(
  repo: ParsedRepoUrl,
  options: { resolve?: (host: string) => Promise<string[]> } = {},
): Promise<void> {
  const host = repoUrlHost(repo);
  if (host === null || repo.kind === "github") return;
  if (isLocalHostName(host) || isNonPublicAddress(host) === true) throw privateHostError(repo.url, host);
  if (isNonPublicAddress(host) === false || !options.resolve) return;
  let addresses: string[];
  try {
    addresses = await options.resolve(host);
  } catch {
    return;
  }
  const bad = addresses.find((a) => isNonPublicAddress(a) !== false);
  if (bad) throw privateHostError(repo.url, host, bad);
}

/** Every address a host name resolves to (the system resolver, as git uses). */
export async function resolveHostAddresses(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * The real path of a local repository, which must exist inside `root` once symlinks are resolved
 * (`..` is refused outright). Without a root, local repositories are not allowed at all.
 */
export async function resolveLocalRepo(repo: ParsedRepoUrl, root: string | undefined): Promise<string> {
  if (repo.kind !== "local") throw new Error("resolveLocalRepo needs a local repository");
  if (!root) {
    throw new DomainError(
      "invalid_input",
      "Local repositories are not enabled on this Slipway (SLIPWAY_LOCAL_REPOS_ROOT is not set): use an https:// or ssh URL.",
    );
  }
  // Percent-encoding ("%2e%2e") would be read one way here and another way by git.
  if (repo.url.includes("%"))
    throw new DomainError("invalid_input", "A local repository path must not contain percent-encoding; write the path as it is.");
  let path: string;
  try {
    path = repo.url.startsWith("file:") ? fileURLToPath(repo.url) : repo.url;
  } catch {
    throw new DomainError("invalid_input", `"${repo.url}" is not a valid file:// URL (only file:///absolute/path).`);
  }
  if (!isAbsolute(path) || path.split("/").includes(".."))
    throw new DomainError("invalid_input", "A local repository path must be absolute and must not contain '..'.");
  const outside = new DomainError("invalid_input", `Local repositories must be inside ${root}; "${repo.url}" is not.`);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new DomainError("invalid_input", `The local repositories folder ${root} does not exist; ask the administrator.`);
  }
  try {
    real = await realpath(path);
  } catch {
    // Said only for paths inside the root: no probing of what exists elsewhere.
    if (path.startsWith(root.endsWith(sep) ? root : root + sep))
      throw new DomainError("invalid_input", `There is no repository at ${path}.`);
    throw outside;
  }
  if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) throw outside;
  if (!(await stat(real)).isDirectory()) throw new DomainError("invalid_input", `${path} is not a Git repository folder.`);
  return real;
}

/**
 * The rules of project creation, applied again at every fetch, to the project's URL and to each
 * submodule's: a local path must be inside `localRoot`, a network host must be public (its name
 * resolved now: it may point elsewhere than when the project was created).
 */
export function repoUrlVetter(options: { localRoot: string | undefined }): (url: string) => Promise<void> {
  return async (url) => {
    const repo = parseRepoUrl(url);
    if (repo.kind === "local") await resolveLocalRepo(repo, options.localRoot);
    else await assertPublicRepoHost(repo, { resolve: resolveHostAddresses });
  };
}
