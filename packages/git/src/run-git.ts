import { execFile } from "node:child_process";
import { DomainError } from "@slipway/domain";

export interface GitResult {
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  args: string[];
  cwd?: string;
  /** Extra `-c key=value` settings for this one command. */
  config?: Record<string, string>;
  timeoutMs?: number;
  /** Extra environment (the SSH transport of a private repository: GIT_SSH_COMMAND, GIT_CONFIG_*). */
  env?: Record<string, string>;
  /** What the command was for, used in error messages ("fetch main of git@…"). */
  what: string;
}

// No credential prompts: a job must fail, never wait for a human. Typed as a plain record and
// asserted: Next's global types make NODE_ENV a required ProcessEnv key in the apps importing this.
const GIT_ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "/bin/false",
  LC_ALL: "C",
} as Record<string, string> as NodeJS.ProcessEnv;

/** Runs git with an argument array (never a shell), no prompts, and a time limit. */
export function runGit({ args, cwd, config = {}, timeoutMs = 120_000, env, what }: RunGitOptions): Promise<GitResult> {
  const cfg = Object.entries(config).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...cfg, ...args],
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: env ? ({ ...GIT_ENV, ...env } as NodeJS.ProcessEnv) : GIT_ENV,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const killed = (err as { killed?: boolean }).killed;
        const reason = killed ? `timed out after ${Math.round(timeoutMs / 1000)} s` : lastLines(stderr || err.message);
        // The whole of stderr stays on the cause (callers read ssh's reasons from it).
        reject(new DomainError("upstream_failed", `git could not ${what}: ${reason}`, { cause: Object.assign(err, { stderr }) }));
      },
    );
  });
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}
