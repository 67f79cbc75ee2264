import { rm } from "node:fs/promises";
import { combineRunClassifications, developmentSteps, developmentTestTags, runsTests, selectModulesToInstall } from "@slipway/domain";
import { createDatabase, installModules } from "../odoo/driver";
import { dropDatabase, ensureDatabase, type ManagedPostgres } from "../postgres";
import { readDatabaseModules } from "../odoo/module-plan";
import { mailCatcherAddress } from "../odoo/mail-catcher-address";
import { pipelineOutcome, type PipelineInput, type PipelineOutcome } from "./pipeline";
import { prepareCode } from "./prepare-code";
import { serveAndRoute } from "./serve-and-route";
import { removeBuildResources } from "./resources";
import { StepFailure } from "./step-failure";
import { createStepRunner } from "./step-runner";

/**
 * A development build: the exact revision with its submodules → addons discovery → requirements
 * image (prepareCode) → new database with demo data → install the branch's modules with the test
 * suite → start the server → route its hostname. Tests that fail on an installed database make the
 * build red, not serverless: the server starts and the build stays connectable. Each step is
 * recorded so a retry after a crash resumes: steps that produced files are reused, database steps
 * restart from a clean database.
 */
export async function runDevelopmentPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { deps, context, recorder, checkpoint } = input;
  const { build, branch, names } = context;
  // The database name is recorded before anything is made under it (a bad end drops what it names);
  // the steps an earlier attempt completed are read meanwhile.
  const [, runner] = await Promise.all([
    recorder.update({ databaseName: names.databaseName, containerName: names.containerName, hostname: names.hostname }),
    createStepRunner({
      recorder,
      checkpoint,
      plan: developmentSteps({ installMode: branch.installMode, testsEnabled: branch.testsEnabled }),
    }),
  ]);
  // A first attempt has nothing to clean up first: its empty database is created while the code is
  // fetched (the create_database step then waits for it). Settled before the pipeline returns, so
  // a bad end's cleanup never races it.
  const early = input.resumed === false ? deps.postgres().then((pg) => ensureDatabase({ pg, name: names.databaseName })) : null;
  early?.catch(() => undefined);

  return pipelineOutcome(async () => {
    try {
      return await body();
    } finally {
      await early?.catch(() => undefined);
    }
  });

  async function body() {
    const code = await prepareCode({ deps, context, recorder, runner });
    const modules = ((): string[] => {
      try {
        return selectModulesToInstall({ mode: branch.installMode, modules: code.discovery.modules, list: branch.installModules });
      } catch (e) {
        throw new StepFailure((e as Error).message);
      }
    })();
    const ctx = await code.context(names.databaseName, names.volumeName);

    // Database steps are all-or-nothing: a half-installed database from a crashed attempt is dropped
    // (a first attempt has nothing to drop: its database and volume are named after the build).
    const databaseReady = runner.completed("create_database") && (runner.completed("install") || modules.length === 0);
    const cleanUp = async () => {
      await dropDatabase({ pg: await deps.postgres(), name: names.databaseName });
      await removeBuildResources({ deps, buildId: build.id, volumes: [names.volumeName], containers: false });
      await rm(`${code.ws.logs}/install.log`, { force: true });
    };
    if (!databaseReady) runner.forget("create_database", "install");
    if (!databaseReady && input.resumed !== false) await cleanUp();
    await runner.step("create_database", async () => {
      // Created empty by the platform, owned by its own role; Odoo fills it (`-i base`). A first
      // attempt that finds the name taken (a leftover of a deleted project) starts clean all the same.
      const made = (await early) ?? (await ensureDatabase({ pg: await deps.postgres(), name: names.databaseName }));
      if (!made.created && input.resumed === false) {
        await cleanUp();
        await ensureDatabase({ pg: await deps.postgres(), name: names.databaseName });
      }
      const r = await createDatabase({ ctx, withDemo: true });
      if (r.classification.status === "red") throw StepFailure.fromRun("create_database", r.classification);
      return { classification: r.classification, durationMs: r.durationMs, command: r.command };
    });
    if (modules.length === 0) {
      await runner.skip("install", "the repository has no module to install");
    } else {
      await runner.step("install", async () => {
        const r = await installModules({
          ctx,
          modules,
          withDemo: true,
          tests: { enabled: runsTests(branch), tags: developmentTestTags({ testTags: branch.testTags, modules }) },
        });
        // Red with every module installed (failed tests, errors logged after the install): the
        // server still starts, as on Odoo.sh — the build ends red but running and connectable.
        if (r.classification.status === "red" && !(await modulesInstalled(await deps.postgres(), names.databaseName, modules))) {
          throw StepFailure.fromRun("install", r.classification);
        }
        return { modules, classification: r.classification, durationMs: r.durationMs, command: r.command };
      });
    }

    await serveAndRoute({
      deps,
      runner,
      build,
      ctx,
      names,
      stage: "development",
      smtp: await mailCatcherAddress(deps, await code.network()),
    });
    return combineRunClassifications(runner.classifications);
  }
}

/** Whether the database holds every one of `modules` installed (an install that failed rolls back). */
async function modulesInstalled(pg: ManagedPostgres, database: string, modules: readonly string[]): Promise<boolean> {
  const installed = await readDatabaseModules({ pg, database })
    .then((d) => d.modules)
    .catch(() => null);
  return installed !== null && modules.every((m) => installed.get(m)?.state === "installed");
}
