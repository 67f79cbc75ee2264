import type { GitHubSetupView } from "@slipway/db";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "../../_components/styles";
import { addSubmoduleAction, removeSubmoduleAction, verifyDeployKeyAction, verifyWebhookAction } from "./github-setup-action";

const code = "block break-all rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100";

const statusText: Record<GitHubSetupView["deployKeyStatus"], string> = {
  none: "Not set up",
  pending: "Being set up on GitHub…",
  added: "On GitHub",
  manual: "To add by hand",
  failed: "Problem",
};

function Status({ testId, status, message }: { testId: string; status: GitHubSetupView["deployKeyStatus"]; message: string | null }) {
  const tone =
    status === "added" ? "bg-green-50 text-green-800" : status === "failed" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-800";
  return (
    <div className="space-y-1">
      <span
        className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${tone}`}
        data-testid={`${testId}-status`}
        data-status={status}
      >
        {statusText[status]}
      </span>
      {message ? (
        <p className="text-sm text-slate-600" data-testid={`${testId}-message`}>
          {message}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Seed "GitHub key and webhook": the deploy key Slipway fetches with and the push webhook, added
 * through GitHub when the project has credentials; otherwise shown here to add by hand. Admins only
 * (the page is): the secret is revealed on demand.
 */
export function GitHubKeyAndWebhookCard(props: { slug: string; setup: GitHubSetupView; payloadUrl: string; secret: string }) {
  const { slug, setup, payloadUrl, secret } = props;
  return (
    <div className="space-y-6 text-sm text-slate-700" data-testid="github-key-and-webhook">
      <div className="space-y-2">
        <h3 className="font-medium text-slate-900">Deploy key</h3>
        <Status testId="deploy-key" status={setup.deployKeyStatus} message={setup.deployKeyMessage} />
        <p>Repository → Settings → Deploy keys → Add deploy key (read access only is enough):</p>
        <code className={code} data-testid="deploy-key-public">
          {setup.deployKeyPublic ?? "—"}
        </code>
        <form action={verifyDeployKeyAction}>
          <input type="hidden" name="slug" value={slug} />
          <button type="submit" className={secondaryButtonClass}>
            Verify Deploy Key
          </button>
        </form>
      </div>
      <div className="space-y-2">
        <h3 className="font-medium text-slate-900">Webhook</h3>
        <Status testId="webhook" status={setup.webhookStatus} message={setup.webhookMessage} />
        <p>Repository → Settings → Webhooks → Add webhook: payload URL</p>
        <code className={code} data-testid="webhook-payload-url">
          {payloadUrl}
        </code>
        <p>
          Content type <code className="font-mono">application/json</code>, the secret below, event “Just the push event”.
        </p>
        <details data-testid="webhook-secret-reveal">
          <summary className="cursor-pointer text-brand-700">Reveal the secret</summary>
          <code className={`${code} mt-2`} data-testid="webhook-secret-value">
            {secret}
          </code>
        </details>
        <form action={verifyWebhookAction}>
          <input type="hidden" name="slug" value={slug} />
          <button type="submit" className={secondaryButtonClass}>
            Verify Webhook
          </button>
        </form>
      </div>
    </div>
  );
}

/**
 * Seed "Submodules": private sub-repositories by SSH URL, each with a key of its own (a GitHub
 * deploy key opens one repository) to add to that repository as a read-only deploy key.
 */
export function SubmodulesCard({ slug, submodules }: { slug: string; submodules: GitHubSetupView["submodules"] }) {
  return (
    <div className="space-y-4 text-sm text-slate-700" data-testid="submodules">
      <p>
        Private submodules are fetched with a key per sub-repository: list each one by its SSH URL, then add the public key shown to that
        repository (Settings → Deploy keys, read access). Public submodules need nothing.
      </p>
      {submodules.length > 0 ? (
        <ul className="space-y-3">
          {submodules.map((s) => (
            <li key={s.id} className="space-y-1 border-t border-slate-100 pt-3" data-url={s.url}>
              <div className="flex items-center justify-between gap-2">
                <span className="font-mono">{s.url}</span>
                <form action={removeSubmoduleAction}>
                  <input type="hidden" name="slug" value={slug} />
                  <input type="hidden" name="id" value={s.id} />
                  <button type="submit" className={secondaryButtonClass} aria-label={`Remove ${s.url}`}>
                    Remove
                  </button>
                </form>
              </div>
              <code className={code} data-testid="submodule-public-key">
                {s.publicKey}
              </code>
            </li>
          ))}
        </ul>
      ) : null}
      <form action={addSubmoduleAction} className="flex flex-wrap items-end gap-2">
        <input type="hidden" name="slug" value={slug} />
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Sub-repository SSH URL</span>
          <input
            name="url"
            required
            maxLength={300}
            placeholder="git@github.com:owner/repository.git"
            className={`${inputClass} w-96 font-mono`}
          />
        </label>
        <button type="submit" className={primaryButtonClass}>
          Add
        </button>
      </form>
    </div>
  );
}
