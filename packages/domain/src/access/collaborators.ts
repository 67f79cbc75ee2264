import { DomainError } from "../errors";
import type { Role } from "./matrix";

/**
 * Checks a collaborator change against the one invariant of a project's team: it keeps at least
 * one admin (seed settings.md; otherwise nobody could manage the project any more). `role: null`
 * removes the collaborator.
 */
export function assertKeepsAnAdmin(options: {
  team: readonly { id: string; role: Role }[];
  collaboratorId: string;
  role: Role | null;
}): void {
  const { team, collaboratorId, role } = options;
  const current = team.find((c) => c.id === collaboratorId);
  if (!current) throw new DomainError("not_found", "This collaborator is not part of the project any more.");
  if (current.role !== "admin" || role === "admin") return;
  const admins = team.filter((c) => c.role === "admin").length;
  if (admins <= 1) {
    throw new DomainError(
      "invalid_state",
      role === null
        ? "This is the project's last admin: make another collaborator admin before removing this one."
        : "This is the project's last admin: make another collaborator admin before changing this role.",
    );
  }
}
