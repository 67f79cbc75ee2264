import type { PrismaClient } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { GithubAccount } from "./github-api";

/**
 * The User row of a GitHub account, matched by GitHub id (logins can be renamed on GitHub), with
 * login, name and avatar refreshed. A local account with the same login is never taken over (a
 * GitHub user named like the local admin must not become the superuser). A row left with this
 * login by a renamed GitHub account gets its login freed.
 */
export async function upsertGithubUser(prisma: PrismaClient, account: GithubAccount): Promise<{ id: string; login: string }> {
  return prisma.$transaction(async (tx) => {
    const holder = await tx.user.findUnique({ where: { login: account.login }, select: { id: true, githubId: true } });
    if (holder && holder.githubId !== account.githubId) {
      if (holder.githubId === null) {
        throw new DomainError("conflict", `The login "${account.login}" belongs to a local account; ask an administrator to rename it.`);
      }
      await tx.user.update({ where: { id: holder.id }, data: { login: `${account.login}~${holder.githubId}` } });
    }
    const data = { login: account.login, name: account.name, avatarUrl: account.avatarUrl };
    return tx.user.upsert({
      where: { githubId: account.githubId },
      create: { ...data, githubId: account.githubId },
      update: data,
      select: { id: true, login: true },
    });
  });
}
