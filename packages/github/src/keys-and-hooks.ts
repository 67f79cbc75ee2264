// The project's deploy key and push webhook on GitHub (seed "GitHub key and webhook"): found by key
// material / payload URL, added or repaired through the client, or explained in plain words.
import type { GitHubClient } from "./client";

export interface SetupOutcome {
  /** ok: found as it should be; added / repaired: changed now; failed: see message. */
  result: "ok" | "added" | "repaired" | "failed";
  message: string;
}

function statusOf(error: unknown): number | null {
  return typeof error === "object" && error !== null && "status" in error && typeof (error as { status: unknown }).status === "number"
    ? (error as { status: number }).status
    : null;
}

/** GitHub's refusal in plain words (never the request: its headers carry the credentials). */
export function explainGitHubRefusal(error: unknown, what: "deploy key" | "webhook", repo: string): string {
  const status = statusOf(error);
  const permission = what === "deploy key" ? "Administration (read and write)" : "Webhooks (read and write)";
  if (status === 401)
    return `GitHub refused the project's credentials (401): the token was revoked or has expired. Replace it in the project's settings.`;
  if (status === 403)
    return `GitHub refused (403): the project's credentials lack the permission for ${what}s on ${repo} (a fine-grained token or the App needs "${permission}").`;
  if (status === 404)
    return `GitHub answers 404 for ${repo}: the repository does not exist, or the project's credentials cannot see it (give the token or the App access to this repository).`;
  const raw = error instanceof Error ? error.message.replace(/\s+-\s+https?:\/\/\S+$/, "") : String(error);
  if (status === 422) return `GitHub refused the ${what} (422): ${raw.slice(0, 200)}`;
  return `GitHub could not be reached for the ${what}${status ? ` (${status})` : ""}: ${raw.slice(0, 200)}`;
}

const material = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(" ");

/**
 * Makes sure `publicKey` is a read-only deploy key of owner/repo: lists the keys, finds ours by key
 * material, adds it when missing; a copy with write access is replaced by a read-only one (`repair`).
 */
export async function ensureDeployKey(input: {
  client: GitHubClient;
  owner: string;
  repo: string;
  publicKey: string;
  title: string;
}): Promise<SetupOutcome> {
  const { client, owner, repo, publicKey, title } = input;
  const full = `${owner}/${repo}`;
  try {
    const keys = await client.paginate(client.rest.repos.listDeployKeys, { owner, repo, per_page: 100 });
    const ours = keys.find((k) => material(k.key) === material(publicKey));
    if (ours?.read_only)
      return { result: "ok", message: `The deploy key is on ${full} (read-only, added ${ours.created_at.slice(0, 10)}).` };
    if (ours) await client.rest.repos.deleteDeployKey({ owner, repo, key_id: ours.id });
    await client.rest.repos.createDeployKey({ owner, repo, title, key: material(publicKey), read_only: true });
    return ours
      ? { result: "repaired", message: `The deploy key on ${full} had write access: it was replaced by a read-only one.` }
      : { result: "added", message: `The deploy key was added to ${full} (read-only).` };
  } catch (error) {
    return { result: "failed", message: explainGitHubRefusal(error, "deploy key", full) };
  }
}

/**
 * Makes sure owner/repo has an active push webhook to `url` with content type json and `secret`:
 * finds it by payload URL, creates it when missing, fixes its configuration otherwise (GitHub never
 * shows a secret back, so a found hook gets the secret again when anything else needed fixing).
 */
export async function ensureWebhook(input: {
  client: GitHubClient;
  owner: string;
  repo: string;
  url: string;
  secret: string;
}): Promise<SetupOutcome> {
  const { client, owner, repo, url, secret } = input;
  const full = `${owner}/${repo}`;
  const config = { url, content_type: "json", secret, insecure_ssl: "0" } as const;
  try {
    const hooks = await client.paginate(client.rest.repos.listWebhooks, { owner, repo, per_page: 100 });
    const ours = hooks.find((h) => h.config.url === url);
    if (!ours) {
      await client.rest.repos.createWebhook({ owner, repo, name: "web", config, events: ["push"], active: true });
      return { result: "added", message: `The push webhook to ${url} was created on ${full}.` };
    }
    const problems: string[] = [];
    if (!ours.active) problems.push("it was inactive");
    if (ours.config.content_type !== "json") problems.push(`its content type was ${ours.config.content_type ?? "form"}`);
    if (!ours.events.includes("push") && !ours.events.includes("*")) problems.push("it did not send push events");
    if (String(ours.config.insecure_ssl ?? "0") !== "0") problems.push("it skipped TLS verification");
    if (problems.length === 0) return { result: "ok", message: `The push webhook to ${url} is on ${full} (json, push events, active).` };
    await client.rest.repos.updateWebhook({
      owner,
      repo,
      hook_id: ours.id,
      config,
      events: [...new Set([...ours.events.filter((e) => e !== "*"), "push"])],
      active: true,
    });
    return { result: "repaired", message: `The push webhook on ${full} was fixed: ${problems.join(", ")}.` };
  } catch (error) {
    return { result: "failed", message: explainGitHubRefusal(error, "webhook", full) };
  }
}
