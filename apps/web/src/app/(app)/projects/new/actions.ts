"use server";

import { isDomainError } from "@slipway/domain";
import { resolveHostAddresses } from "@slipway/git";
import { enqueue } from "@slipway/queue";
import { redirect } from "next/navigation";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { createProject } from "@/server/projects/create-project";
import type { NewProjectErrors, NewProjectInput } from "@/server/projects/new-project";

export interface NewProjectFormState {
  values: NewProjectInput;
  errors: NewProjectErrors;
  formError?: string;
  /** Counts submissions, so the form re-mounts its fields with the submitted values. */
  submission: number;
}

const field = (form: FormData, name: keyof NewProjectInput) => String(form.get(name) ?? "").slice(0, 1000);

export async function createProjectAction(previous: NewProjectFormState, form: FormData): Promise<NewProjectFormState> {
  const user = await requireUser();
  const values: NewProjectInput = {
    name: field(form, "name"),
    slug: field(form, "slug"),
    repoUrl: field(form, "repoUrl"),
    odooVersion: field(form, "odooVersion"),
    odooImage: field(form, "odooImage"),
    baseDomain: field(form, "baseDomain"),
  };
  const submission = previous.submission + 1;
  // Never part of `values`: a token is not sent back to the browser.
  const githubToken = String(form.get("githubToken") ?? "")
    .trim()
    .slice(0, 255);
  if (githubToken && !/^[A-Za-z0-9_]{20,255}$/.test(githubToken))
    return {
      values,
      errors: {},
      submission,
      formError: "The GitHub token is not valid (letters, digits and _ only, as GitHub issues them).",
    };
  const d = deps();
  let result;
  try {
    result = await createProject(
      {
        prisma: d.prisma,
        encryptionKey: d.config.encryptionKey,
        pollBranches: (projectId) => enqueue(d.queues, "branch.poll", { projectId }).then(() => undefined),
        setUpGitHub: (projectId) => enqueue(d.queues, "github.setup-project", { projectId }).then(() => undefined),
        policy: { ...d.config.projects, resolveHost: resolveHostAddresses },
      },
      { creator: user, input: values, ...(githubToken ? { githubToken } : {}) },
    );
  } catch (e) {
    if (isDomainError(e)) return { values, errors: {}, submission, formError: e.message };
    console.error(`Slipway web: project creation failed: ${(e as Error).stack ?? e}`);
    return { values, errors: {}, submission, formError: "The project could not be created (database unreachable?). Try again shortly." };
  }
  if (!result.ok) return { values, errors: result.errors, submission };
  redirect(`/projects/${result.slug}`);
}
