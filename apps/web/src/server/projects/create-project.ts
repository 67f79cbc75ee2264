import { randomBytes } from "node:crypto";
import { encryptSecret, generateSshKeyPair } from "@slipway/config";
import { insertProject, recordGitHubSetup, setDeployKey, type Db } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import { recordAudit } from "../audit/record-audit";
import {
  assertImageAllowed,
  assertMayCreateProjects,
  assertRepositoryAllowed,
  refusalMessage,
  type ProjectCreationPolicy,
  type ProjectCreator,
} from "./creation-policy";
import { validateNewProject, type NewProjectErrors, type NewProjectInput } from "./new-project";

export interface CreateProjectDeps {
  prisma: Db;
  encryptionKey: Buffer;
  /** Queues a `branch.poll` of the new project so its existing branches appear. */
  pollBranches: (projectId: string) => Promise<void>;
  /** Who may create projects, from which repositories and images. */
  policy: ProjectCreationPolicy;
  /** Queues `github.setup-project` (deploy key and webhook through GitHub) for a new GitHub project. */
  setUpGitHub?: (projectId: string) => Promise<void>;
}

export type CreateProjectResult = { ok: true; slug: string; projectId: string } | { ok: false; errors: NewProjectErrors };

/**
 * Creates a project from the form: only for platform superusers and the configured creators
 * (DomainError "forbidden" otherwise); validated first (nothing written on a bad field, a
 * repository outside the local root or on a non-public host, an image outside the allowlist),
 * with a random webhook secret stored encrypted; the creator becomes its admin.
 */
export async function createProject(
  deps: CreateProjectDeps,
  {
    creator,
    input,
    githubToken,
  }: {
    creator: ProjectCreator & { id: string };
    input: NewProjectInput;
    /** Optional fine-grained token for the repository (stored encrypted; never echoed back). */
    githubToken?: string;
  },
): Promise<CreateProjectResult> {
  assertMayCreateProjects(creator, deps.policy.creators);
  const creatorId = creator.id;
  const checked = validateNewProject(input);
  if (!checked.ok) return checked;
  const errors: NewProjectErrors = {};
  await assertRepositoryAllowed(checked.value.repo, deps.policy).catch((e: unknown) => (errors.repoUrl = refusalMessage(e)));
  try {
    assertImageAllowed(checked.value.odooImage, deps.policy.odooImages);
  } catch (e) {
    errors.odooImage = refusalMessage(e);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const { name, slug, repo, odooVersion, odooImage, baseDomain } = checked.value;
  const secret = randomBytes(32).toString("hex");
  let project;
  try {
    project = await insertProject(deps.prisma, {
      slug,
      name,
      repoUrl: repo.url,
      repoKind: repo.kind === "github" ? "github" : "generic",
      githubOwner: repo.github?.owner,
      githubRepo: repo.github?.repo,
      odooVersion,
      odooImage,
      baseDomain,
      webhookSecretEnc: encryptSecret(secret, deps.encryptionKey),
      creatorId,
    });
  } catch (e) {
    if (isDomainError(e, "conflict")) return { ok: false, errors: { slug: `${e.message} Choose another name.` } };
    throw e;
  }
  if (repo.kind === "github") {
    // Seed "GitHub key and webhook": an Ed25519 deploy key per project, the private half encrypted
    // at rest; the worker adds the public half and the webhook when the credentials allow.
    const pair = generateSshKeyPair({ comment: `slipway:${slug}` });
    await setDeployKey(deps.prisma, project.id, {
      publicKey: pair.publicKey,
      privateKeyEnc: encryptSecret(pair.privateKey, deps.encryptionKey),
      ...(githubToken ? { githubTokenEnc: encryptSecret(githubToken, deps.encryptionKey) } : {}),
    });
    await recordGitHubSetup(deps.prisma, project.id, {
      deployKey: { status: "pending", message: null },
      webhook: { status: "pending", message: null },
    });
  }
  await recordAudit({
    prisma: deps.prisma,
    actorId: creatorId,
    projectId: project.id,
    action: "project.create",
    target: slug,
    details: { name, repoUrl: repo.url, odooVersion, odooImage },
  });
  // The project exists even if Redis is down; the scheduled poll or the first push catches up.
  if (repo.kind === "github" && deps.setUpGitHub)
    await deps.setUpGitHub(project.id).catch((e: Error) => console.error(`Slipway web: GitHub set-up of ${slug} not queued: ${e.message}`));
  await deps.pollBranches(project.id).catch((e: Error) => console.error(`Slipway web: branch poll of ${slug} not queued: ${e.message}`));
  return { ok: true, slug, projectId: project.id };
}
