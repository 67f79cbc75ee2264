// A GitHub stand-in for Git over SSH in tests: Debian's OpenSSH server (`/usr/sbin/sshd`, package
// openssh-server) on loopback, on a free port, with its own host key and configuration, logging in
// the test's own user. Like GitHub's deploy keys, each authorized key opens exactly one repository:
// its authorized_keys line forces a gate that lets `git-upload-pack` of that repository through
// git-shell and answers "Repository not found" to anything else.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const GIT_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp", LC_ALL: "C" };

export interface SshGitServer {
  host: string;
  port: number;
  /** The login user (the test's own: an unprivileged sshd can only log in its own user). */
  user: string;
  /** `ssh-ed25519 AAAA…` of the server. */
  hostPublicKey: string;
  /** known_hosts line pinning this server's key under `name` (default github.com). */
  knownHosts(name?: string): string;
  /** Creates the bare repository `owner/name` and returns its folder. */
  createRepo(path: string): Promise<string>;
  /** Lets `publicKey` read `owner/name` (and nothing else), as a read-only deploy key. */
  authorize(publicKey: string, repo: string): Promise<void>;
  /** Every line sshd wrote to its log so far. */
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startSshGitServer(): Promise<SshGitServer> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-sshd-"));
  await chmod(dir, 0o755);
  const repos = join(dir, "repos");
  await mkdir(repos);
  const hostKey = join(dir, "host_ed25519");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f", hostKey]);
  const hostPublicKey = (await readFile(`${hostKey}.pub`, "utf8")).trim().split(/\s+/).slice(0, 2).join(" ");
  const gate = join(dir, "gate");
  // $1: the one repository this key opens. git sends `git-upload-pack 'owner/name.git'`.
  await writeFile(
    gate,
    [
      "#!/bin/sh",
      `ROOT='${repos}'`,
      "for form in \"git-upload-pack '$1'\" \"git-upload-pack '/$1'\" \"git-upload-pack '$1.git'\" \"git-upload-pack '/$1.git'\"; do",
      '  if [ "$SSH_ORIGINAL_COMMAND" = "$form" ]; then exec git-shell -c "git-upload-pack \'$ROOT/$1.git\'"; fi',
      "done",
      'echo "ERROR: Repository not found." >&2',
      "exit 1",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const authorizedKeys = join(dir, "authorized_keys");
  await writeFile(authorizedKeys, "", { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, "sshd_config");
  await writeFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin forced-commands-only",
      "UsePAM no",
      "AllowTcpForwarding no",
      "AllowAgentForwarding no",
      "X11Forwarding no",
      "PermitTTY no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  // sshd started by root needs its privilege separation folder (Debian's service creates it).
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) await mkdir("/run/sshd", { mode: 0o755, recursive: true });
  let logText = "";
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => (logText += chunk.toString()));
  // Ready when the port accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${logText}`);
    const ok = await run("ssh-keyscan", ["-T", "2", "-p", String(port), "-t", "ed25519", "127.0.0.1"]).then(
      (r) => r.stdout.includes("ssh-ed25519"),
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`sshd did not start: ${logText}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const lines: string[] = [];
  return {
    host: "127.0.0.1",
    port,
    user: userInfo().username,
    hostPublicKey,
    knownHosts: (name = "github.com") => `${name} ${hostPublicKey}\n`,
    async createRepo(path) {
      const bare = join(repos, `${path}.git`);
      await mkdir(bare, { recursive: true });
      await run("git", ["init", "-q", "--bare", "-b", "main", bare], { env: GIT_ENV });
      return bare;
    },
    async authorize(publicKey, repo) {
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) throw new Error(`bad repo ${repo}`);
      const key = publicKey.trim().split(/\s+/).slice(0, 2).join(" ");
      lines.push(`command="${gate} ${repo}",no-port-forwarding,no-pty,no-agent-forwarding,no-X11-forwarding ${key}`);
      await writeFile(authorizedKeys, `${lines.join("\n")}\n`, { mode: 0o600 });
    },
    log: () => logText,
    async close() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
