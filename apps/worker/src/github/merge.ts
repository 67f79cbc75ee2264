import { DomainError } from "@slipway/domain";
import type { MergeOutcome } from "@slipway/git";
import { gitHubErrorSummary, type ProjectGitHub } from "./project-client";

/**
 * Merges branch `source` into `target` through GitHub's merge API (POST
 * /repos/{owner}/{repo}/merges, base = target, head = source): GitHub writes the merge commit on
 * the target, and its push webhook builds it as any push. 201 → merged (the commit's first parent
 * is the target's previous head), 204 → nothing to merge, 409 → conflict (GitHub names no files),
 * 404 → a branch is missing on GitHub. The worker's own git credentials are not used.
 */
export async function mergeThroughGitHub(
  github: ProjectGitHub,
  options: { source: string; target: string; actor: string; targetHead?: string | null },
): Promise<MergeOutcome> {
  const { source, target } = options;
  const known = options.targetHead ?? "";
  try {
    const response = await github.client.rest.repos.merge({
      owner: github.owner,
      repo: github.repo,
      base: target,
      head: source,
      commit_message: `Merge ${source} into ${target} (by ${options.actor} on Slipway)`,
      // Not retried even on a 5xx: a merge that timed out may have happened; its user asks again after a look.
      request: { retries: 0 },
    });
    // Octokit types only 201; GitHub answers 204 No Content when the base already contains the head.
    if ((response.status as number) === 204) return { kind: "up_to_date", revision: known };
    return { kind: "merged", revision: response.data.sha, previous: response.data.parents[0]?.sha ?? known };
  } catch (error) {
    const summary = gitHubErrorSummary(error);
    if (summary.status === 409) return { kind: "conflict", files: [], previous: known };
    if (summary.status === 404)
      throw new DomainError(
        "not_found",
        `GitHub has no branch ${source} or ${target} in ${github.owner}/${github.repo} (${summary.message})`,
      );
    throw new DomainError(summary.retryable ? "upstream_failed" : "invalid_state", `GitHub refused the merge: ${summary.message}`);
  }
}
