import type { CommitStatusesSetting } from "@slipway/db";
import { primaryButtonClass } from "../../_components/styles";
import { saveCommitStatusesAction } from "./commit-statuses-action";

/**
 * Seed "GitHub commit statuses": every build posts pending, then success/failure/error, on its
 * commit (context slipway/<stage>, a link to the build page). Needs credentials that can write
 * commit statuses (a token with "Commit statuses: write", or the GitHub App installation).
 */
export function CommitStatusesCard({ slug, setting }: { slug: string; setting: CommitStatusesSetting }) {
  return (
    <form action={saveCommitStatusesAction} className="space-y-3" data-testid="commit-statuses-setting">
      <input type="hidden" name="slug" value={slug} />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="commitStatuses" defaultChecked={setting.enabled} className="mt-1" />
        <span>
          <span className="font-medium text-slate-700">Post commit statuses to GitHub</span>
          <span className="block text-slate-500">
            Each build marks its commit as pending, then success (green or yellow), failure (red) or error (cancelled, platform error),
            under <span className="font-mono">slipway/development</span>, <span className="font-mono">slipway/staging</span> or{" "}
            <span className="font-mono">slipway/production</span>, with a link to the build.
          </span>
        </span>
      </label>
      {setting.hasCredentials ? null : (
        <p className="text-sm text-amber-800" data-testid="commit-statuses-no-credentials">
          No GitHub token or App installation with the <em>Commit statuses (write)</em> permission is set for this project: nothing is
          posted until one is.
        </p>
      )}
      <button type="submit" className={primaryButtonClass}>
        Save
      </button>
    </form>
  );
}
