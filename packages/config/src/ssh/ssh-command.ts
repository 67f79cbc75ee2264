import type { BaseConfig } from "../load-config";

/**
 * The command that opens a shell in a build over SSH (seed "SSH": `ssh <build id>@<host>`), with
 * the platform's SSH host and port: the user name is the build's id. Shown on the build's Shell
 * tab and the branch's shell commands panel.
 */
export function sshCommandFor(build: { id: string }, ssh: Pick<BaseConfig["ssh"], "publicHost" | "port">): string {
  return ssh.port === 22 ? `ssh ${build.id}@${ssh.publicHost}` : `ssh ${build.id}@${ssh.publicHost} -p ${ssh.port}`;
}
