// Repositories: GET /repos/{owner}/{repo} (the "full-repository" object, as recorded in
// @octokit/fixtures' get-repository scenario).
import { accessOf, githubTime, repoFor } from "./access";
import type { RouteModule } from "./router";
import type { DoubleRepo } from "./state";
import { simpleUser } from "./users";

function ownerJson(login: string, baseUrl: string, organisation: boolean) {
  return simpleUser(login, baseUrl, {
    id: 1,
    nodeId: "MDA6RW50aXR5MQ==",
    avatarUrl: "https://avatars.example/u/1",
    type: organisation ? "Organization" : "User",
  });
}

/** A repository as GET /repos/{owner}/{repo} answers it. */
export function repoJson(
  repo: DoubleRepo,
  baseUrl: string,
  permissions?: { admin: boolean; push: boolean; pull: boolean },
  /** An owner that is not a known user is an organisation (GitHub then adds `organization`). */
  organisation = false,
) {
  const full = `${repo.owner}/${repo.name}`;
  const api = `${baseUrl}/repos/${full}`;
  const host = new URL(baseUrl).host;
  const at = githubTime(new Date("2024-01-01T00:00:00Z"));
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString("base64"),
    name: repo.name,
    full_name: full,
    private: repo.private,
    owner: ownerJson(repo.owner, baseUrl, organisation),
    html_url: `${baseUrl}/${full}`,
    description: null,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: at,
    updated_at: at,
    pushed_at: at,
    git_url: `git://${host}/${full}.git`,
    ssh_url: `git@${host}:${full}.git`,
    clone_url: `${baseUrl}/${full}.git`,
    svn_url: `${baseUrl}/${full}`,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.default_branch,
    ...(permissions ? { permissions: { ...permissions, maintain: permissions.admin, triage: permissions.push } } : {}),
    // Sent to callers who may push (real GitHub: an empty string unless the repository is private and cloned by a token).
    ...(permissions?.push ? { temp_clone_token: "" } : {}),
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_update_branch: false,
    use_squash_pr_title_as_default: false,
    squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
    squash_merge_commit_message: "COMMIT_MESSAGES",
    merge_commit_title: "MERGE_MESSAGE",
    merge_commit_message: "PR_TITLE",
    ...(organisation ? { organization: ownerJson(repo.owner, baseUrl, true) } : {}),
    network_count: 0,
    subscribers_count: 0,
  };
}

export const repoRoutes: RouteModule = (router) => {
  router.get("/repos/:owner/:repo", (ctx) => {
    const repo = repoFor(ctx, "read");
    if (!repo) return;
    const admin = accessOf(ctx, repo) === "admin";
    const organisation = !ctx.state.users.has(repo.owner.toLowerCase());
    ctx.json(200, repoJson(repo, ctx.baseUrl, ctx.caller ? { admin, push: admin, pull: true } : undefined, organisation));
  });
};
