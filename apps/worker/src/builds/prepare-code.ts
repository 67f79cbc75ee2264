// The code half of a staging or production build: the exact revision, its addons and its
// requirements image (same steps and details as a development build, so they resume the same way).
import { existsSync } from "node:fs";
import { connectSecretFor } from "@slipway/config";
import { buildOdooImage, type AddonsDiscovery, type BuildContext } from "@slipway/domain";
import { fetchRevision, parseRepoUrl, repoUrlVetter } from "@slipway/git";
import type { WorkerDeps } from "../deps";
import { withProjectGitAccess } from "../github/git-access";
import { discoverAddons } from "../odoo/discover-addons";
import { ensureBuildEgressNetwork, ensureProjectNetwork, type ProjectNetwork } from "../isolation/project-network";
import { ensureRequirementsImage, type OdooContext } from "../odoo/driver";
import { databaseCredentials } from "../postgres";
import { postgresFor } from "../odoo/staging-clones";
import type { BuildRecorder } from "./recorder";
import { buildLabels } from "./resources";
import type { PlannedStep } from "./pipeline";
import { StepFailure } from "./step-failure";
import type { StepRunner } from "./step-runner";
import { buildWorkspace } from "./workspace";

export const CODE_STEPS: readonly PlannedStep[] = [
  { name: "fetch", state: "fetching" },
  { name: "discover", state: "fetching" },
  { name: "dependencies", state: "installing_dependencies", logFile: "pip.log" },
];

export interface PreparedCode {
  discovery: AddonsDiscovery;
  image: string;
  ws: { root: string; src: string; logs: string };
  labels: Record<string, string>;
  /** An Odoo context on `database` with its data volume, on the project's network. */
  context(database: string, dataVolume: string): Promise<OdooContext>;
  /** The project's network (its gateway is where the mail catcher listens for it). */
  network(): Promise<ProjectNetwork>;
}

export async function prepareCode(input: {
  deps: WorkerDeps;
  context: BuildContext;
  recorder: BuildRecorder;
  runner: StepRunner;
}): Promise<PreparedCode> {
  const { deps, recorder, runner } = input;
  const { build, branch, project } = input.context;
  const ws = buildWorkspace(deps.config.home, build.id);
  const labels = buildLabels({ project, branch, build });
  // A checkout that vanished (another machine, cleanup) cannot be reused.
  if (!existsSync(ws.src)) runner.forget("fetch", "discover", "dependencies");
  // The project's network (engine calls only) is made while the code is fetched, once for the
  // build: its Odoo runs and the mail catcher's address share it. Its error, if any, comes when used.
  const network = deps.postgres().then((pg) => ensureProjectNetwork({ docker: deps.docker, pg, project }));
  network.catch(() => undefined);
  await runner.step("fetch", async () => {
    const repo = parseRepoUrl(project.repoUrl);
    // A GitHub project with a deploy key fetches over SSH with its keys (issue 17); they live in a
    // temporary folder of the worker for this one fetch, never in the checkout containers mount.
    const fetched = await withProjectGitAccess(deps, project, (access) =>
      fetchRevision({
        url: project.repoUrl,
        revision: build.revision,
        branch: branch.name,
        // The usual push build: its revision is the branch's head, cloned in one git process.
        branchTip: build.revision === branch.headRevision,
        dest: ws.src,
        allowLocalSubmodules: repo.kind === "local",
        vetUrl: repoUrlVetter({ localRoot: deps.config.localReposRoot }),
        ...access,
      }),
    );
    await recorder.update({ commitMessage: build.commitMessage ?? fetched.subject, commitAuthor: build.commitAuthor ?? fetched.author });
    return { revision: fetched.revision, subject: fetched.subject, submodules: fetched.submodules };
  });
  const discovery = await runner.step("discover", async () => {
    const found = await discoverAddons({ checkoutDir: ws.src });
    if (found.problems.length > 0) {
      throw new StepFailure(
        `the repository's addons cannot be used: ${found.problems.map((p) => `${p.path}: ${p.reason}`).join("; ")}`,
        found.problems.map((p, i) => ({
          step: "discover",
          level: "ERROR",
          line: i + 1,
          run: "install" as const,
          text: `${p.path}: ${p.reason}`,
        })),
      );
    }
    return found;
  });
  const { image } = await runner.step("dependencies", async () => {
    const baseImage = buildOdooImage(input.context);
    const req = await ensureRequirementsImage({
      docker: deps.docker,
      baseImage,
      checkoutPath: ws.src,
      requirementsFiles: discovery.requirements.map((r) => r.path),
      requirementsHash: discovery.requirementsHash,
      logDir: ws.logs,
      labels,
      // Only pip uses it: a repository without requirements makes no engine call here.
      network: discovery.requirements.length > 0 ? await ensureBuildEgressNetwork({ docker: deps.docker }) : undefined,
    });
    if (req.classification.status === "red") throw StepFailure.fromRun("dependencies", req.classification);
    return { image: req.image, reused: req.reused, baseImage };
  });

  return {
    discovery,
    image,
    ws,
    labels,
    network: () => network,
    async context(database, dataVolume) {
      const [{ name: networkName }, pg] = await Promise.all([network, postgresFor(deps, database)]);
      return {
        docker: deps.docker,
        image,
        database,
        // The role of this database alone (ADR 0005): never another database's, never the administration role.
        // A staging database may live in its own cluster (ADR 0009): its credentials name that server.
        db: databaseCredentials(pg, database),
        network: networkName,
        checkout: { hostPath: ws.src, addonsFolders: discovery.addonsPaths },
        platformAddonsHostPath: deps.platformAddonsPath,
        dataVolume,
        logDir: ws.logs,
        labels,
        env: { SLIPWAY_CONNECT_SECRET: connectSecretFor(deps.config.encryptionKey, build.id) },
      };
    },
  };
}
