// Git branch names (`feature/JIRA-12_fix.v2`) → a fragment usable in DNS labels, database,
// container and volume names: lowercase letters, digits and single hyphens. A branch name that
// had to be changed or shortened gets a short hash of the original, so two branches that map to
// the same text (`feature/x`, `feature-x`, `Feature_X`) still get different names.
import { DomainError } from "../errors";
import { sha1Hex } from "../modules/sha1";

export const BRANCH_HASH_LENGTH = 6;

export function branchLabel(options: { branch: string; maxLength: number }): string {
  const { branch, maxLength } = options;
  if (branch === "") throw new DomainError("invalid_input", "a branch name cannot be empty");
  if (maxLength < BRANCH_HASH_LENGTH) {
    throw new DomainError("invalid_input", `a branch label needs at least ${BRANCH_HASH_LENGTH} characters`);
  }
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug === branch && slug.length <= maxLength) return slug;
  const hash = sha1Hex(branch).slice(0, BRANCH_HASH_LENGTH);
  const head = slug.slice(0, Math.max(0, maxLength - BRANCH_HASH_LENGTH - 1)).replace(/-+$/, "");
  return head === "" ? hash : `${head}-${hash}`;
}
