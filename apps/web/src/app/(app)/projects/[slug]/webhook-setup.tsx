import { pollIntervalText } from "./poll-interval-text";

/**
 * Webhook instructions for the project's admins (the secret is shown to them only). Open while the
 * project has no branch (most likely no webhook yet), collapsed afterwards. The poll interval is
 * the worker's (SLIPWAY_POLL_INTERVAL_SECONDS; 0: no polling).
 */
export function WebhookSetup(props: {
  publicUrl: string;
  slug: string;
  secret: string;
  isGithub: boolean;
  open: boolean;
  pollIntervalSeconds: number;
}) {
  const { publicUrl, slug, secret, isGithub, open, pollIntervalSeconds } = props;
  const code = "block break-all rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100";
  return (
    <details open={open} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="webhook-setup">
      <summary className="cursor-pointer text-sm font-semibold text-slate-900">Webhook setup</summary>
      <div className="mt-3 space-y-4 text-sm text-slate-700">
        <p>
          Pushes reach Slipway by webhook{" "}
          <span data-testid="webhook-poll-interval">
            {pollIntervalSeconds > 0
              ? `(the repository is also polled ${pollIntervalText(pollIntervalSeconds)} as a fallback: new commits are built without a webhook too)`
              : "(polling is off on this instance: without a webhook, use Rebuild or Build now to build new commits)"}
          </span>
          . Use the secret below for either endpoint; deliveries with another signature are refused.
        </p>
        <div className="space-y-1">
          <h3 className="font-medium text-slate-900">GitHub{isGithub ? "" : " (if the repository is on GitHub)"}</h3>
          <p>Repository → Settings → Webhooks → Add webhook: payload URL</p>
          <code className={code} data-testid="webhook-github-url">{`${publicUrl}/api/webhooks/github`}</code>
          <p>
            Content type <code className="font-mono">application/json</code>, the secret below, event “Just the push event”.
          </p>
        </div>
        <div className="space-y-1">
          <h3 className="font-medium text-slate-900">Any other Git server (Gitea, Forgejo, a post-receive hook)</h3>
          <code className={code} data-testid="webhook-generic-url">{`${publicUrl}/api/webhooks/git/${slug}`}</code>
          <p>
            POST a push payload (<code className="font-mono">ref</code>, <code className="font-mono">after</code>) signed with HMAC-SHA256
            of the body in <code className="font-mono">X-Hub-Signature-256: sha256=…</code>.
          </p>
        </div>
        <div className="space-y-1">
          <h3 className="font-medium text-slate-900">Secret</h3>
          <code className={code} data-testid="webhook-secret">
            {secret}
          </code>
        </div>
      </div>
    </details>
  );
}
