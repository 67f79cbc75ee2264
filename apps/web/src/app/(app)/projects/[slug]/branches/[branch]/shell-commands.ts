// The branch page's shell commands (seed "Shell commands": clone, fork, merge, SSH, submodule,
// delete), each the exact command line for this project and branch, ready to copy.

export type ShellCommandKey = "clone" | "fork" | "merge" | "ssh" | "submodule" | "delete";

export interface ShellCommand {
  key: ShellCommandKey;
  label: string;
  /** The command line, or null when it cannot be written yet (`unavailable` says why). */
  command: string | null;
  unavailable?: string;
  help: string;
}

/** Quotes a word for a POSIX shell unless it is made of characters no shell reads specially. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._/@:=+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A name for the fork that no existing branch has: `<branch>-1`, `<branch>-2`, … */
export function forkName(branch: string, existing: readonly string[]): string {
  const taken = new Set(existing);
  for (let n = 1; ; n++) if (!taken.has(`${branch}-${n}`)) return `${branch}-${n}`;
}

/** Merges `branch` into `into` and pushes `into` (run in a clone). */
export function mergeCommand(branch: string, into: string): string {
  return `git checkout ${shellWord(into)} && git merge ${shellWord(branch)} && git push -u origin ${shellWord(into)}`;
}

export function shellCommands(options: {
  repoUrl: string;
  branch: string;
  /** Every branch of the project (the fork gets a free name). */
  branches: readonly string[];
  /** The branch the merge command merges into (null: no other branch). */
  mergeInto: string | null;
  /** `ssh <build id>@<host> -p <port>` for the branch's current build, or why there is none. */
  ssh: { command: string } | { unavailable: string };
}): ShellCommand[] {
  const b = shellWord(options.branch);
  const fork = shellWord(forkName(options.branch, options.branches));
  return [
    {
      key: "clone",
      label: "Clone",
      command: `git clone --recurse-submodules --branch ${b} ${shellWord(options.repoUrl)}`,
      help: "A local copy of the repository, with its submodules, on this branch.",
    },
    {
      key: "fork",
      label: "Fork",
      command: `git checkout -b ${fork} ${b} && git push -u origin ${fork}`,
      help: "A new branch from this one, pushed: it appears under Development.",
    },
    {
      key: "merge",
      label: "Merge",
      command: options.mergeInto === null ? null : mergeCommand(options.branch, options.mergeInto),
      unavailable: options.mergeInto === null ? "There is no other branch to merge into." : undefined,
      help: "Merges this branch into another one and pushes it (the push builds it).",
    },
    {
      key: "ssh",
      label: "SSH",
      command: "command" in options.ssh ? options.ssh.command : null,
      unavailable: "unavailable" in options.ssh ? options.ssh.unavailable : undefined,
      help: "A shell in the branch's current build (add your public key in your profile first).",
    },
    {
      key: "submodule",
      label: "Submodule",
      command: `git submodule add -b master <URL> <PATH> && git commit -a && git push -u origin ${b}`,
      help: "Adds a branch of another repository as a submodule (replace <URL> and <PATH>).",
    },
    {
      key: "delete",
      label: "Delete",
      command: `git push origin :${b} && git branch -D ${b}`,
      help: "Deletes the branch from the repository and from your local copy. Its databases go with it; back up first.",
    },
  ];
}
