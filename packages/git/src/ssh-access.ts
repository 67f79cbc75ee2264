import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DomainError } from "@slipway/domain";

// Private repositories over SSH (seed "GitHub key and webhook", "Submodules"): the project's deploy
// key for the repository itself, one key per private sub-repository. The keys are written for one
// git run into a fresh 0700 folder of the worker's temporary directory (never the checkout, which
// build containers mount) and removed after. ssh offers exactly one key per host alias
// (IdentitiesOnly): GitHub accepts any registered deploy key at login and refuses the repository
// afterwards, so offering the project's key to a sub-repository would fail even with the right key
// second. The host key is pinned (StrictHostKeyChecking yes, our known_hosts only).

export interface RepoKey {
  /** The repository's SSH URL as the settings list it (git@github.com:owner/repo.git). */
  url: string;
  privateKey: string;
  publicKey: string;
}

export interface GitSshAccess {
  /** The host name repository URLs use ("github.com"). */
  host: string;
  /** Where that host's SSH server really is (a test server, GitHub Enterprise); default host:22. */
  endpoint?: { host: string; port: number; user?: string };
  /** known_hosts lines pinning the host's keys, under `host` (checked via HostKeyAlias). */
  knownHosts: string;
  /** The project's own deploy key (also offered to repositories of the host with no key of their own). */
  repoKey: { privateKey: string; publicKey: string };
  /** The project's repository on that host, "owner/name". */
  repo: string;
  /** Keys of sub-repositories (seed "Submodules"). */
  submodules: readonly RepoKey[];
}

export interface GitTransport {
  /** Environment for every git command of the run (inherited by submodule clones). */
  env: Record<string, string>;
  /** The URL to fetch the project's repository from (its SSH form). */
  repoUrl: string;
}

/** "owner/name" of a repository URL on `host` (ssh, scp-like or https form); null otherwise. */
export function repoPathOnHost(url: string, host: string): string | null {
  const h = host.replace(/[.]/g, "\\.");
  const forms = [
    new RegExp(`^(?:ssh://)?git@${h}(?::\\d+)?[:/]([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\\.git)?/?$`),
    new RegExp(`^https?://(?:[^@/]+@)?${h}/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\\.git)?/?$`),
  ];
  for (const re of forms) {
    const m = re.exec(url.trim());
    if (m) return m[1]!;
  }
  return null;
}

const SAFE_HOST = /^[A-Za-z0-9.-]+$|^[0-9a-fA-F:]+$/;

/**
 * Runs `fn` with an SSH transport for `access` (keys, ssh config and known_hosts in a temporary
 * folder removed afterwards, whatever happens).
 */
export async function withSshAccess<T>(access: GitSshAccess, fn: (transport: GitTransport) => Promise<T>): Promise<T> {
  const endpoint = access.endpoint ?? { host: access.host, port: 22 };
  if (!SAFE_HOST.test(access.host) || !SAFE_HOST.test(endpoint.host) || !/^[a-z_][a-z0-9_-]*$/i.test(endpoint.user ?? "git"))
    throw new DomainError("invalid_input", "Invalid SSH host name.");
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(access.repo))
    throw new DomainError("invalid_input", `"${access.repo}" is not owner/name.`);
  const dir = await mkdtemp(join(tmpdir(), "slipway-git-ssh-"));
  try {
    await chmod(dir, 0o700);
    // mkdtemp's suffix is [A-Za-z0-9]: the path is safe inside GIT_SSH_COMMAND (which git runs through sh).
    if (!/^[A-Za-z0-9/_.-]+$/.test(dir)) throw new Error(`unsafe temporary folder ${dir}`);
    const writeKey = async (name: string, key: string) => {
      const file = join(dir, name);
      await writeFile(file, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
      return file;
    };
    const knownHosts = join(dir, "known_hosts");
    await writeFile(knownHosts, access.knownHosts.endsWith("\n") ? access.knownHosts : `${access.knownHosts}\n`, { mode: 0o600 });
    const hostBlock = (alias: string, keyFile: string) =>
      [
        `Host ${alias}`,
        `  HostName ${endpoint.host}`,
        `  Port ${endpoint.port}`,
        `  HostKeyAlias ${access.host}`,
        `  User ${endpoint.user ?? "git"}`,
        `  IdentityFile ${keyFile}`,
      ].join("\n");
    const repoKeyFile = await writeKey("id_repo", access.repoKey.privateKey);
    const blocks = [hostBlock("slipway-repo", repoKeyFile)];
    // insteadOf rules (GIT_CONFIG_*: several values per key, inherited by the submodules' git runs).
    const rules: Array<[string, string]> = [];
    const rewrite = (path: string, alias: string) => {
      // GitHub's names are case-insensitive, insteadOf is not: the URL's own spelling and lower case.
      for (const spelling of new Set([path, path.toLowerCase()])) rewriteOne(spelling, alias);
    };
    const rewriteOne = (path: string, alias: string) => {
      // No user in the target: the alias's User applies (git, or the configured endpoint's).
      const target = `${alias}:${path}.git`;
      for (const form of [
        `git@${access.host}:${path}`,
        `ssh://git@${access.host}/${path}`,
        `https://${access.host}/${path}`,
        `git@${access.host}:${path}.git`,
        `ssh://git@${access.host}/${path}.git`,
        `https://${access.host}/${path}.git`,
      ])
        rules.push([`url.${target}.insteadOf`, form]);
    };
    rewrite(access.repo, "slipway-repo");
    let n = 0;
    for (const sub of access.submodules) {
      const path = repoPathOnHost(sub.url, access.host);
      if (!path || path.toLowerCase() === access.repo.toLowerCase()) continue;
      n += 1;
      const alias = `slipway-sub-${n}`;
      blocks.push(hostBlock(alias, await writeKey(`id_sub_${n}`, sub.privateKey)));
      rewrite(path, alias);
    }
    // Any other repository of the host (a public submodule by SSH URL) is offered the project's key.
    blocks.push(hostBlock(access.host, repoKeyFile));
    blocks.push(
      [
        "Host *",
        "  IdentitiesOnly yes",
        "  StrictHostKeyChecking yes",
        `  UserKnownHostsFile ${knownHosts}`,
        "  GlobalKnownHostsFile /dev/null",
        "  UpdateHostKeys no",
        "  BatchMode yes",
        "  PasswordAuthentication no",
        "  KbdInteractiveAuthentication no",
        "  ForwardAgent no",
        "  ConnectTimeout 30",
        "  LogLevel ERROR",
      ].join("\n"),
    );
    const sshConfig = join(dir, "config");
    await writeFile(sshConfig, `${blocks.join("\n")}\n`, { mode: 0o600 });
    const env: Record<string, string> = {
      GIT_SSH_COMMAND: `ssh -F ${sshConfig} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts}`,
      GIT_SSH_VARIANT: "ssh",
      GIT_CONFIG_COUNT: String(rules.length),
    };
    rules.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    return await fn({ env, repoUrl: `git@${access.host}:${access.repo}.git` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A git error of an SSH fetch, in plain words (host key mismatch, key refused). */
export function explainSshFailure(message: string, host: string): string | null {
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(message))
    return `the SSH host key of ${host} does not match the pinned key (SLIPWAY_GITHUB_SSH_KNOWN_HOSTS): the connection was refused`;
  if (
    /Permission denied \(publickey\)|Repository not found|access denied|Could not read from remote repository|not appear to be a git repository/i.test(
      message,
    )
  )
    return "access denied";
  return null;
}

/**
 * GitHub's published SSH host keys (docs.github.com "GitHub's SSH key fingerprints"), pinned by
 * default; SLIPWAY_GITHUB_SSH_KNOWN_HOSTS replaces them (GitHub Enterprise, a test server).
 */
export const GITHUB_KNOWN_HOSTS = [
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
  "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
].join("\n");

/** A GitHub App installation token for HTTPS fetches (issue 17: "or an installation token over HTTPS"). */
export interface GitHttpsAccess {
  /** The host name repository URLs use ("github.com"). */
  host: string;
  /** An installation token (`ghs_…`), sent as GitHub documents: basic auth as x-access-token. */
  token: string;
  /** owner/name of the project's repository. */
  repo: string;
  /** Where that host's Git over HTTPS really is (GitHub Enterprise, a test server); default https://<host>. */
  baseUrl?: string;
}

/**
 * The environment of a git run over HTTPS with an installation token: the Authorization header
 * for the host only (GIT_CONFIG_*, never in the command line or a URL), and SSH URLs of the host
 * (submodules) rewritten to HTTPS so they use the token too.
 */
export function httpsTransport(access: GitHttpsAccess): GitTransport {
  if (!/^[A-Za-z0-9_.-]+$/.test(access.token)) throw new DomainError("invalid_input", "Invalid installation token.");
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(access.repo))
    throw new DomainError("invalid_input", `"${access.repo}" is not owner/name.`);
  const canonical = `https://${access.host}/`;
  const base = `${(access.baseUrl ?? `https://${access.host}`).replace(/\/+$/, "")}/`;
  const header = `Authorization: Basic ${Buffer.from(`x-access-token:${access.token}`).toString("base64")}`;
  // git rewrites a URL once (the longest match): every form points straight at the real base.
  const rules: Array<[string, string]> = [
    [`url.${base}.insteadOf`, `git@${access.host}:`],
    [`url.${base}.insteadOf`, `ssh://git@${access.host}/`],
  ];
  if (base !== canonical) rules.push([`url.${base}.insteadOf`, canonical]);
  rules.push([`http.${base}.extraHeader`, header]);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(rules.length) };
  rules.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { env, repoUrl: `${canonical}${access.repo}.git` };
}
