// The User rows of GitHub accounts: who may sign in with GitHub, and the row of an account.
import type { Db } from "../client";

export interface GithubAccountRecord {
  githubId: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

/** What decides a known GitHub account's admission: superuser, and how many projects it collaborates on. */
export async function findGithubAccountStanding(
  db: Db,
  { githubId }: { githubId: string },
): Promise<{ isSuperuser: boolean; collaborations: number } | null> {
  const row = await db.user.findUnique({
    where: { githubId },
    select: { isSuperuser: true, _count: { select: { collaborators: true } } },
  });
  return row ? { isSuperuser: row.isSuperuser, collaborations: row._count.collaborators } : null;
}

/**
 * The User row of a GitHub account, matched by GitHub id, with login, name and avatar refreshed.
 * A local account holding the login is never taken over (`local_login`, nothing written); a row left
 * with this login by a renamed GitHub account gets its login freed (`<login>~<its github id>`).
 */
export async function upsertGithubUserRow(
  db: Db,
  account: GithubAccountRecord,
): Promise<{ kind: "saved"; user: { id: string; login: string } } | { kind: "local_login" }> {
  return db.$transaction(async (tx) => {
    const holder = await tx.user.findUnique({ where: { login: account.login }, select: { id: true, githubId: true } });
    if (holder && holder.githubId !== account.githubId) {
      if (holder.githubId === null) return { kind: "local_login" as const };
      await tx.user.update({ where: { id: holder.id }, data: { login: `${account.login}~${holder.githubId}` } });
    }
    const data = { login: account.login, name: account.name, avatarUrl: account.avatarUrl };
    const user = await tx.user.upsert({
      where: { githubId: account.githubId },
      create: { ...data, githubId: account.githubId },
      update: data,
      select: { id: true, login: true },
    });
    return { kind: "saved" as const, user };
  });
}

/** Whether the user's account is disabled (false when the user does not exist). */
export async function isUserDisabled(db: Db, { userId }: { userId: string }): Promise<boolean> {
  const row = await db.user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  return Boolean(row?.disabledAt);
}
