import { upsertGithubUserRow, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { GithubAccount } from "./github-api";

/**
 * The User row of a GitHub account, matched by GitHub id (logins can be renamed on GitHub), with
 * login, name and avatar refreshed. A local account with the same login is never taken over (a
 * GitHub user named like the local admin must not become the superuser). A row left with this
 * login by a renamed GitHub account gets its login freed.
 */
export async function upsertGithubUser(prisma: Db, account: GithubAccount): Promise<{ id: string; login: string }> {
  const saved = await upsertGithubUserRow(prisma, account);
  if (saved.kind === "local_login") {
    throw new DomainError("conflict", `The login "${account.login}" belongs to a local account; ask an administrator to rename it.`);
  }
  return saved.user;
}
