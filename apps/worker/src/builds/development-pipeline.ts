import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Branch, Build, Prisma, Project } from "@slipway/db";
import {
  buildResourceNames,
  combineRunClassifications,
  connectSecretFor,
  developmentSteps,
  DomainError,
  runsTests,
  selectModulesToInstall,
  type AddonsDiscovery,
  type RunClassification,
  type StepName,
} from "@slipway/domain";
import { fetchRevision, parseRepoUrl } from "@slipway/git";
import { PLATFORM_SERVER_WIDE_MODULES, type WorkerDeps } from "../deps";
import { discoverAddons } from "../odoo/discover-addons";
import { mailCatcherAddress } from "../odoo/mail-catcher-address";
import { createDatabase, ensureRequirementsImage, installModules, serve, type OdooContext } from "../odoo/driver";
import { dropDatabase } from "../odoo/odoo-databases";
import { odooUpstreams, routeIdForBuild } from "../proxy/caddy";

/** Development builds run Odoo threaded (one process; websocket on the HTTP port). */
export const DEVELOPMENT_WORKERS = 0;
import { removeBuildResources, buildLabels } from "./resources";
import type { BuildRecorder } from "./recorder";
import { BuildStopped, type StepFailure } from "./step-failure";
import { buildWorkspace } from "./workspace";

export interface PipelineInput {
  deps: WorkerDeps;
  build: Build;
  branch: Branch;
  project: Project;
  recorder: BuildRecorder;
  /** Throws BuildStopped when the build was cancelled or the worker is shutting down. */
  checkpoint: () => Promise<void>;
}

export type PipelineOutcome = { ok: true; classification: RunClassification } | ({ ok: false } & StepFailure);

/**
 * A development build: the exact revision with its submodules → addons discovery → requirements
 * image → new database with demo data → install the branch's modules with the test suite → start
 * the server → route its hostname. Each step is recorded so a retry after a crash resumes: steps
 * that produced files (checkout, image) are reused, database steps restart from a clean database.
 */
export async function runDevelopmentPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { deps, build, branch, project, recorder, checkpoint } = input;
  const names = buildResourceNames({ project: project.slug, branch: branch.name, buildNumber: build.number, stage: "development", baseDomain: project.baseDomain });
  await recorder.update({ databaseName: names.databaseName, containerName: names.containerName, hostname: names.hostname });
  const ws = buildWorkspace(deps.config.home, build.id);
  const plan = developmentSteps({ installMode: branch.installMode, testsEnabled: branch.testsEnabled });
  const done = await recorder.completedSteps();
  const labels = buildLabels({ project, branch, build });
  const position = (name: StepName) => plan.findIndex((s) => s.name === name);
  const classifications: RunClassification[] = [];

  /** Runs one step unless an earlier attempt completed it (its recorded detail is returned). */
  async function step<T extends Prisma.JsonValue>(name: StepName, run: () => Promise<{ detail: T } | StepFailure>, reuse = true): Promise<T> {
    await checkpoint();
    const previous = done.get(name);
    if (reuse && previous !== undefined) return collect(previous) as T;
    const planned = plan[position(name)]!;
    await recorder.setState(planned.state);
    await recorder.stepStarted(name, position(name), planned.logFile);
    let out: { detail: T } | StepFailure;
    try {
      out = await run();
    } catch (e) {
      if (e instanceof BuildStopped) throw e;
      out = { failed: true, reason: (e as Error).message, offending: [] };
    }
    if ("failed" in out) {
      await recorder.stepFinished(name, { ok: false, error: out.reason });
      throw Object.assign(new StepFailed(name), { failure: out });
    }
    await recorder.stepFinished(name, { ok: true, detail: out.detail as Prisma.InputJsonValue });
    done.set(name, out.detail);
    return collect(out.detail);
  }

  /** Steps that ran Odoo record their classification; the build's status combines them all. */
  function collect<T extends Prisma.JsonValue>(detail: T): T {
    const c = (detail as { classification?: RunClassification } | null)?.classification;
    if (c) classifications.push(c);
    return detail;
  }

  try {
    // A checkout that vanished (another machine, cleanup) cannot be reused.
    if (!existsSync(ws.src)) ["fetch", "discover", "dependencies"].forEach((s) => done.delete(s));
    await step("fetch", async () => {
      const repo = parseRepoUrl(project.repoUrl);
      const fetched = await fetchRevision({ url: project.repoUrl, revision: build.revision, branch: branch.name, dest: ws.src, allowLocalSubmodules: repo.kind === "local" });
      await recorder.update({ commitMessage: build.commitMessage ?? fetched.subject, commitAuthor: build.commitAuthor ?? fetched.author });
      return { detail: { revision: fetched.revision, subject: fetched.subject, submodules: fetched.submodules } };
    });

    const discovery = (await step("discover", async () => {
      const found = await discoverAddons({ checkoutDir: ws.src });
      if (found.problems.length > 0) {
        return {
          failed: true as const,
          reason: `the repository's addons cannot be used: ${found.problems.map((p) => `${p.path}: ${p.reason}`).join("; ")}`,
          offending: found.problems.map((p, i) => ({ step: "discover", level: "ERROR", line: i + 1, run: "install" as const, text: `${p.path}: ${p.reason}` })),
        };
      }
      return { detail: found as unknown as Prisma.JsonValue };
    })) as unknown as AddonsDiscovery;

    let modules: string[];
    try {
      modules = selectModulesToInstall({ mode: branch.installMode, modules: discovery.modules, list: branch.installModules });
    } catch (e) {
      throw Object.assign(new StepFailed("discover"), { failure: { failed: true, reason: (e as Error).message, offending: [] } });
    }

    const image = (await step("dependencies", async () => {
      const req = await ensureRequirementsImage({
        docker: deps.docker,
        baseImage: project.odooImage,
        checkoutPath: ws.src,
        requirementsFiles: discovery.requirements.map((r) => r.path),
        requirementsHash: discovery.requirementsHash,
        logDir: ws.logs,
        labels,
      });
      if (req.classification.status === "red") return failureFrom("dependencies", req.classification);
      return { detail: { image: req.image, reused: req.reused } };
    })) as { image: string };

    const pg = await deps.postgres();
    const ctx: OdooContext = {
      docker: deps.docker,
      image: image.image,
      database: names.databaseName,
      db: { host: pg.hostForBuilds, port: pg.port, user: pg.user, password: pg.password },
      network: pg.buildsNetwork,
      checkout: { hostPath: ws.src, addonsFolders: discovery.addonsPaths },
      platformAddonsHostPath: deps.platformAddonsPath,
      dataVolume: names.volumeName,
      logDir: ws.logs,
      labels,
      env: { SLIPWAY_CONNECT_SECRET: connectSecretFor(deps.config.encryptionKey, build.id) },
    };

    // Database steps are all-or-nothing: a half-installed database from a crashed attempt is dropped.
    const databaseReady = done.has("create_database") && (done.has("install") || modules.length === 0);
    if (!databaseReady) {
      done.delete("create_database");
      done.delete("install");
      await dropDatabase({ pg, name: names.databaseName });
      await removeBuildResources({ deps, buildId: build.id, volumes: [names.volumeName], containers: false });
      await rm(`${ws.logs}/install.log`, { force: true });
    }
    await step("create_database", async () => {
      const r = await createDatabase({ ctx, withDemo: true });
      if (r.classification.status === "red") return failureFrom("create_database", r.classification);
      return { detail: { classification: asJson(r.classification), durationMs: r.durationMs } };
    });
    if (modules.length === 0) {
      await recorder.stepSkipped("install", position("install"), "the repository has no module to install");
    } else {
      await step("install", async () => {
        const r = await installModules({ ctx, modules, withDemo: true, tests: { enabled: runsTests(branch), tags: branch.testTags ?? undefined } });
        if (r.classification.status === "red") return failureFrom("install", r.classification);
        return { detail: { modules, classification: asJson(r.classification), durationMs: r.durationMs } };
      });
    }

    const server = await step(
      "start",
      async () => {
        await removeBuildResources({ deps, buildId: build.id, volumes: [], containers: true, role: "odoo-server" });
        // Its outgoing mail goes to the platform's catcher (the builds network has no other egress).
        const smtp = await mailCatcherAddress(deps);
        const s = await serve({ ctx, containerName: names.containerName, workers: DEVELOPMENT_WORKERS, smtp, healthTimeoutMs: 120_000, serverWideModules: PLATFORM_SERVER_WIDE_MODULES });
        // The server keeps writing odoo.log (Logs tab) while it runs: the follower is kept, not stopped.
        if (s.logFollower) deps.serverLogs.adopt(build.id, s.logFollower);
        if (!s.healthy || !s.ip) return failureFrom("start", s.classification);
        return { detail: { containerId: s.containerId, ip: s.ip, classification: asJson(s.classification) } };
      },
      false,
    );

    await step(
      "route",
      async () => {
        const ip = (server as { ip: string }).ip;
        await deps.caddy.upsertRoute({ id: routeIdForBuild(build.id), hosts: [names.hostname], ...odooUpstreams(ip, DEVELOPMENT_WORKERS) });
        return { detail: { hostname: names.hostname } };
      },
      false,
    );
    return { ok: true, classification: combineRunClassifications(classifications) };
  } catch (e) {
    if (e instanceof StepFailed) return { ok: false, ...(e as StepFailed & { failure: StepFailure }).failure };
    if (e instanceof BuildStopped) throw e;
    if (e instanceof DomainError) return { ok: false, failed: true, reason: e.message, offending: [] };
    throw e;
  }
}

class StepFailed extends Error {
  constructor(readonly step: string) {
    super(`step ${step} failed`);
  }
}

function asJson(c: RunClassification): Prisma.JsonValue {
  return c as unknown as Prisma.JsonValue;
}

function failureFrom(step: string, c: RunClassification): StepFailure {
  return { failed: true, reason: c.reasons.join("; ") || `${step} failed`, offending: c.offending.map((o) => ({ ...o, step })) };
}
