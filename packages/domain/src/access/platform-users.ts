import { DomainError } from "../errors";

/**
 * Who manages the platform's users (issue 14, local accounts): superusers only. Project admins
 * manage their project's collaborators, not accounts. Checked by every users page and action.
 */
export function mayManageUsers(user: { isSuperuser: boolean } | null): boolean {
  return user?.isSuperuser === true;
}

export function assertMayManageUsers(user: { isSuperuser: boolean } | null): void {
  if (!user) throw new DomainError("forbidden", "Sign in first.");
  if (!mayManageUsers(user)) throw new DomainError("forbidden", "Only platform administrators (superusers) may manage users.");
}
