import type { GitHubCredentialsView } from "@/server/github/project-token";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "../../_components/styles";
import { githubCredentialsAction } from "./github-credentials-action";

/**
 * How Slipway talks to the project's GitHub repository: the platform's GitHub App when it is
 * installed on the repository, else this project's fine-grained token (seed "GitHub commit
 * statuses"). The token is write-only: stored encrypted, never shown.
 */
export function GitHubCredentialsCard({ slug, view }: { slug: string; view: GitHubCredentialsView }) {
  return (
    <div className="space-y-4 text-sm" data-testid="github-credentials">
      <p className="text-slate-600">
        {view.appName ? (
          <>
            When the GitHub App <strong>{view.appName}</strong> is installed on <span className="font-mono">{view.repository}</span>,
            Slipway uses it (short-lived installation tokens); otherwise the token below.
          </>
        ) : (
          <>
            Slipway uses this token for <span className="font-mono">{view.repository}</span>: a fine-grained token with access to the
            repository and the permissions <em>Commit statuses</em>, <em>Contents</em> (merges), <em>Administration</em> (deploy key) and{" "}
            <em>Webhooks</em> (write). A platform administrator can set up a GitHub App instead.
          </>
        )}
      </p>
      <p data-testid="github-token-state">{view.hasToken ? "A token is set (not shown)." : "No token is set."}</p>
      <form action={githubCredentialsAction} className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="slug" value={slug} />
        <input type="hidden" name="intent" value="save" />
        <label className="block">
          <span className="text-slate-700">{view.hasToken ? "Replace the token" : "GitHub token"}</span>
          <input
            name="token"
            type="password"
            autoComplete="off"
            placeholder="github_pat_…"
            required
            className={`${inputClass} mt-1 w-96`}
          />
        </label>
        <button type="submit" className={primaryButtonClass}>
          Save token
        </button>
      </form>
      <div className="flex gap-3">
        <form action={githubCredentialsAction}>
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="intent" value="check" />
          <button type="submit" className={secondaryButtonClass}>
            Check access
          </button>
        </form>
        {view.hasToken ? (
          <form action={githubCredentialsAction}>
            <input type="hidden" name="slug" value={slug} />
            <input type="hidden" name="intent" value="remove" />
            <button type="submit" className={secondaryButtonClass}>
              Remove token
            </button>
          </form>
        ) : null}
      </div>
    </div>
  );
}
