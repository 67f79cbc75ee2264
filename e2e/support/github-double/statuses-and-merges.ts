// Commit statuses and merges (issue 17 items 5 and 6):
//   POST /repos/{owner}/{repo}/statuses/{sha}          201 the status (recorded: @octokit/fixtures "create-status")
//   GET  /repos/{owner}/{repo}/commits/{ref}/statuses   200 the statuses of a commit, newest first (same recording)
//   GET  /repos/{owner}/{repo}/commits/{ref}/status     200 the combined status: the latest per context (same recording)
//   POST /repos/{owner}/{repo}/merges                   201 the merge commit, 204 nothing to merge, 409 "Merge conflict",
//                                                       404 "Base does not exist" / "Head does not exist" (GitHub's OpenAPI
//                                                       description, operation repos/merge)
// The double knows no commits: a status goes on any 40-hex sha, and a merge's outcome is what the
// test said (setMergeOutcome; "merged" by default). Tests can make the next status posts fail
// (failStatusPosts) to exercise retries.
import { createHash } from "node:crypto";
import { githubTime, repoData, repoFor, repoOf } from "./access";
import { repoJson } from "./repos";
import { simpleUser } from "./users";
import type { RouteContext, RouteModule } from "./router";
import type { DoubleRepo, DoubleState } from "./state";

export const statusStates = ["error", "failure", "pending", "success"] as const;
export type StatusState = (typeof statusStates)[number];

export interface DoubleStatus {
  id: number;
  sha: string;
  state: StatusState;
  context: string;
  description: string | null;
  target_url: string | null;
  creator: string;
  created_at: string;
}

export type MergeOutcome = "merged" | "nothing" | "conflict" | "missing-base" | "missing-head";

export interface DoubleMerge {
  base: string;
  head: string;
  commit_message: string | null;
  outcome: MergeOutcome;
  /** The merge commit's sha ("merged" only). */
  sha?: string;
}

interface Data {
  /** Per sha, oldest first. */
  statuses: Map<string, DoubleStatus[]>;
  /** The next N status posts answer `failStatus` (Infinity: all of them). */
  failNext: number;
  failStatus: number;
  /** Only posts of this state fail (null: any). */
  failState: StatusState | null;
  /** Outcome per "base...head" (lower case). */
  outcomes: Map<string, MergeOutcome>;
  /** Heads of branches as the double believes them (moved by merges; set by setBranchHead). */
  heads: Map<string, string>;
  merges: DoubleMerge[];
}

const MODULE = "statuses-and-merges";
const data = (repo: DoubleRepo) =>
  repoData<Data>(repo, MODULE, () => ({
    statuses: new Map(),
    failNext: 0,
    failStatus: 500,
    failState: null,
    outcomes: new Map(),
    heads: new Map(),
    merges: [],
  }));

function creatorJson(login: string, baseUrl: string) {
  const id = 1000 + (parseInt(createHash("sha1").update(login).digest("hex").slice(0, 6), 16) % 100000);
  return simpleUser(login, baseUrl, {
    id,
    nodeId: Buffer.from(`04:User${id}`).toString("base64"),
    avatarUrl: `https://avatars.example/u/${id}`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
  });
}

function statusJson(repo: DoubleRepo, status: DoubleStatus, baseUrl: string, withCreator: boolean) {
  return {
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`,
    avatar_url: "https://avatars.example/u/31898046",
    id: status.id,
    node_id: Buffer.from(`011:StatusContext${status.id}`).toString("base64"),
    state: status.state,
    description: status.description,
    target_url: status.target_url,
    context: status.context,
    created_at: status.created_at,
    updated_at: status.created_at,
    ...(withCreator ? { creator: creatorJson(status.creator, baseUrl) } : {}),
  };
}

/** The latest status of each context of a commit, oldest context first (GitHub's combined view). */
export function latestPerContext(statuses: DoubleStatus[]): DoubleStatus[] {
  const latest = new Map<string, DoubleStatus>();
  for (const s of statuses) latest.set(s.context, s);
  return [...latest.values()].sort((a, b) => a.id - b.id);
}

/** GitHub's combined state: failure if any is error/failure, pending if any is pending (or none), else success. */
export function combinedState(statuses: DoubleStatus[]): StatusState {
  if (statuses.some((s) => s.state === "error" || s.state === "failure")) return "failure";
  if (statuses.length === 0 || statuses.some((s) => s.state === "pending")) return "pending";
  return "success";
}

/** The "minimal-repository" GitHub embeds in a combined status: the repository's fields up to deployments_url. */
function minimalRepo(repo: DoubleRepo, baseUrl: string) {
  const full = repoJson(repo, baseUrl);
  const keys = Object.keys(full);
  return Object.fromEntries(keys.slice(0, keys.indexOf("deployments_url") + 1).map((k) => [k, full[k as keyof typeof full]]));
}

function callerLogin(ctx: RouteContext): string {
  const caller = ctx.caller;
  if (caller?.kind === "user") return caller.login;
  if (caller?.kind === "installation") {
    const inst = ctx.state.installations.get(caller.installationId);
    const app = inst ? ctx.state.apps.get(inst.appId) : undefined;
    return `${app?.slug ?? "app"}[bot]`;
  }
  return "ghost";
}

const SHA = /^[0-9a-f]{40}$/i;

export const statusAndMergeRoutes: RouteModule = (router) => {
  router.post("/repos/:owner/:repo/statuses/:sha", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const d = data(repo);
    const body = ctx.body;
    if (d.failNext > 0 && (d.failState === null || body.state === d.failState)) {
      d.failNext -= 1;
      return ctx.error(d.failStatus, d.failStatus >= 500 ? "Server Error" : "Forbidden");
    }
    const sha = ctx.params.sha ?? "";
    if (!statusStates.includes(body.state as StatusState))
      return ctx.error(422, "Validation Failed", {
        errors: [{ resource: "Status", code: "custom", field: "state", message: "state is not included in the list" }],
      });
    if (!SHA.test(sha)) return ctx.error(422, `No commit found for SHA: ${sha}`);
    const description = typeof body.description === "string" ? body.description : null;
    if (description !== null && description.length > 140)
      return ctx.error(422, "Validation Failed", {
        errors: [
          { resource: "Status", code: "custom", field: "description", message: "description is too long (maximum is 140 characters)" },
        ],
      });
    const status: DoubleStatus = {
      id: ctx.state.nextId(),
      sha: sha.toLowerCase(),
      state: body.state as StatusState,
      context: typeof body.context === "string" && body.context ? body.context : "default",
      description,
      target_url: typeof body.target_url === "string" ? body.target_url : null,
      creator: callerLogin(ctx),
      created_at: githubTime(),
    };
    const list = d.statuses.get(status.sha) ?? [];
    list.push(status);
    d.statuses.set(status.sha, list);
    ctx.json(201, statusJson(repo, status, ctx.baseUrl, true));
  });

  router.get("/repos/:owner/:repo/commits/:ref/statuses", (ctx) => {
    const repo = repoFor(ctx, "read");
    if (!repo) return;
    const list = [...(data(repo).statuses.get((ctx.params.ref ?? "").toLowerCase()) ?? [])].reverse();
    ctx.json(
      200,
      list.map((s) => statusJson(repo, s, ctx.baseUrl, true)),
    );
  });

  router.get("/repos/:owner/:repo/commits/:ref/status", (ctx) => {
    const repo = repoFor(ctx, "read");
    if (!repo) return;
    const sha = (ctx.params.ref ?? "").toLowerCase();
    const latest = latestPerContext(data(repo).statuses.get(sha) ?? []);
    ctx.json(200, {
      state: combinedState(latest),
      statuses: latest.map((s) => statusJson(repo, s, ctx.baseUrl, false)),
      sha,
      total_count: latest.length,
      repository: minimalRepo(repo, ctx.baseUrl),
      commit_url: `${ctx.baseUrl}/repos/${repo.owner}/${repo.name}/commits/${sha}`,
      url: `${ctx.baseUrl}/repos/${repo.owner}/${repo.name}/commits/${sha}/status`,
    });
  });

  router.post("/repos/:owner/:repo/merges", (ctx) => {
    const repo = repoFor(ctx, "admin");
    if (!repo) return;
    const d = data(repo);
    const base = typeof ctx.body.base === "string" ? ctx.body.base : "";
    const head = typeof ctx.body.head === "string" ? ctx.body.head : "";
    if (!base || !head) return ctx.error(422, "Invalid request.", { errors: [`"${!base ? "base" : "head"}" wasn't supplied.`] });
    const commitMessage = typeof ctx.body.commit_message === "string" ? ctx.body.commit_message : null;
    const outcome = d.outcomes.get(`${base}...${head}`.toLowerCase()) ?? "merged";
    const merge: DoubleMerge = { base, head, commit_message: commitMessage, outcome };
    d.merges.push(merge);
    if (outcome === "missing-base") return ctx.error(404, "Base does not exist");
    if (outcome === "missing-head") return ctx.error(404, "Head does not exist");
    if (outcome === "conflict") return ctx.error(409, "Merge conflict");
    if (outcome === "nothing") return ctx.noContent();
    const previous = d.heads.get(base) ?? createHash("sha1").update(`${base}@start`).digest("hex");
    const headSha = d.heads.get(head) ?? createHash("sha1").update(`${head}@start`).digest("hex");
    const sha = createHash("sha1").update(`${previous}+${headSha}+${d.merges.length}`).digest("hex");
    merge.sha = sha;
    d.heads.set(base, sha);
    ctx.json(201, mergeCommitJson(repo, ctx, { sha, previous, head: headSha, message: commitMessage ?? `Merge ${head} into ${base}` }));
  });
};

function mergeCommitJson(repo: DoubleRepo, ctx: RouteContext, c: { sha: string; previous: string; head: string; message: string }) {
  const api = `${ctx.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const html = `${ctx.baseUrl}/${repo.owner}/${repo.name}`;
  const login = callerLogin(ctx);
  const person = { name: login, email: `${login}@users.noreply.example`, date: githubTime() };
  const tree = createHash("sha1").update(`tree:${c.sha}`).digest("hex");
  return {
    sha: c.sha,
    node_id: Buffer.from(`06:Commit${c.sha}`).toString("base64"),
    commit: {
      author: person,
      committer: person,
      message: c.message,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      url: `${api}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: creatorJson(login, ctx.baseUrl),
    committer: creatorJson(login, ctx.baseUrl),
    parents: [c.previous, c.head].map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${html}/commit/${sha}` })),
    stats: { total: 0, additions: 0, deletions: 0 },
    files: [],
  };
}

/** Statuses posted on `sha` of `owner/name`, oldest first. */
export function statusesOf(state: DoubleState, fullName: string, sha: string): DoubleStatus[] {
  return [...(data(repoOf(state, fullName)).statuses.get(sha.toLowerCase()) ?? [])];
}

/** Every status posted on `owner/name`, oldest first. */
export function allStatusesOf(state: DoubleState, fullName: string): DoubleStatus[] {
  return [...data(repoOf(state, fullName)).statuses.values()].flat().sort((a, b) => a.id - b.id);
}

/**
 * The next `count` status posts on `owner/name` answer `status` (default 500); Infinity: all of them.
 * With `onlyState`, only posts of that state fail (and count); the others are accepted.
 */
export function failStatusPosts(
  state: DoubleState,
  fullName: string,
  count: number,
  status = 500,
  onlyState: StatusState | null = null,
): void {
  const d = data(repoOf(state, fullName));
  d.failNext = count;
  d.failStatus = status;
  d.failState = onlyState;
}

/** What merging `head` into `base` of `owner/name` answers from now on (default "merged"). */
export function setMergeOutcome(state: DoubleState, fullName: string, base: string, head: string, outcome: MergeOutcome): void {
  data(repoOf(state, fullName)).outcomes.set(`${base}...${head}`.toLowerCase(), outcome);
}

/** A branch's head as the double believes it (merge commits name it as their first parent). */
export function setBranchHead(state: DoubleState, fullName: string, branch: string, sha: string): void {
  data(repoOf(state, fullName)).heads.set(branch, sha);
}

/** Merges asked of `owner/name`, oldest first. */
export function mergesOf(state: DoubleState, fullName: string): DoubleMerge[] {
  return [...data(repoOf(state, fullName)).merges];
}
