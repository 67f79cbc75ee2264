// Who may do what on a repository of the double, as GitHub decides it: the repository's admins
// (personal/OAuth tokens) and installations that include it; others get 404 (private) or 403.
import type { RouteContext } from "./router";
import { repoKey, type DoubleRepo, type DoubleState } from "./state";

/**
 * The repository `:owner/:repo` of the route if the caller may `need` it; otherwise answers the
 * error GitHub would (401 bad credentials, 404 Not Found, 403 Resource not accessible) and returns null.
 */
export function repoFor(ctx: RouteContext, need: "read" | "admin"): DoubleRepo | null {
  if (ctx.authSent && !ctx.caller) {
    ctx.error(401, "Bad credentials");
    return null;
  }
  const repo = ctx.state.repos.get(repoKey(ctx.params.owner ?? "", ctx.params.repo ?? ""));
  const access = repo ? accessOf(ctx, repo) : "none";
  const caller = ctx.caller;
  if (!repo || access === "none") {
    ctx.error(404, "Not Found");
    return null;
  }
  if (need === "admin" && access !== "admin") {
    ctx.error(caller ? 403 : 404, caller ? "Resource not accessible by integration" : "Not Found");
    return null;
  }
  return repo;
}

/** The caller's access to `repo`: admin (its owner/admins, an installation including it), read (public), none. */
export function accessOf(ctx: RouteContext, repo: DoubleRepo): "none" | "read" | "admin" {
  const caller = ctx.caller;
  if (caller?.kind === "user") {
    const login = caller.login.toLowerCase();
    if (repo.owner.toLowerCase() === login || repo.admins.some((a) => a.toLowerCase() === login)) return "admin";
  }
  if (caller?.kind === "installation") {
    const inst = ctx.state.installations.get(caller.installationId);
    const key = repoKey(repo.owner, repo.name);
    if (inst && (inst.repositories === "all" ? inst.account.toLowerCase() === repo.owner.toLowerCase() : inst.repositories.includes(key)))
      return "admin";
  }
  return repo.private ? "none" : "read";
}

/** The module-private data of a repository (created on first use). */
export function repoData<T>(repo: DoubleRepo, module: string, init: () => T): T {
  return (repo.data[module] ??= init()) as T;
}

/** GitHub's timestamps: ISO 8601 without milliseconds. */
export function githubTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The repository "owner/name" of the double, for tests that read or change its data directly. */
export function repoOf(state: DoubleState, fullName: string): DoubleRepo {
  const [owner = "", name = ""] = fullName.split("/");
  const repo = state.repos.get(repoKey(owner, name));
  if (!repo) throw new Error(`the GitHub double has no repository ${fullName}`);
  return repo;
}
