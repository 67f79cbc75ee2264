// The `--stop-after-init` operations of a build. Each appends to its step log and returns the
// run's figures and classification (see run-step.ts).
import { createDatabaseArgs, installModulesArgs, neutralizeArgs, runTestsArgs, updateModulesArgs, type TestOptions } from "./odoo-args";
import { contextAddonsPath, type OdooContext } from "./odoo-context";
import { runOdooStep, type StepResult } from "./run-step";

function base(ctx: OdooContext) {
  return { database: ctx.database, addonsPath: contextAddonsPath(ctx) };
}

/** `-d DB -i base [--without-demo=all] --stop-after-init` → install.log */
export function createDatabase(options: { ctx: OdooContext; withDemo: boolean }): Promise<StepResult> {
  const args = createDatabaseArgs({ ...base(options.ctx), withDemo: options.withDemo });
  return runOdooStep({ ctx: options.ctx, kind: "install", logName: "install.log", args });
}

/** `-i modules [--test-enable --test-tags …]` → install.log (kind "test" when tests run). */
export function installModules(options: {
  ctx: OdooContext;
  modules: readonly string[];
  withDemo: boolean;
  tests?: TestOptions;
}): Promise<StepResult> {
  const args = installModulesArgs({ ...base(options.ctx), modules: options.modules, withDemo: options.withDemo, tests: options.tests });
  return runOdooStep({ ctx: options.ctx, kind: options.tests?.enabled ? "test" : "install", logName: "install.log", args });
}

/** `-u modules --stop-after-init` → update.log */
export function updateModules(options: { ctx: OdooContext; modules: readonly string[]; tests?: TestOptions }): Promise<StepResult> {
  const args = updateModulesArgs({ ...base(options.ctx), modules: options.modules, tests: options.tests });
  return runOdooStep({ ctx: options.ctx, kind: "update", logName: "update.log", args });
}

/** Tests on an existing database → install.log (the tests of a development build belong there). */
export function runTests(options: { ctx: OdooContext; modules?: readonly string[]; tags?: string }): Promise<StepResult> {
  const args = runTestsArgs({ ...base(options.ctx), modules: options.modules, tags: options.tags });
  return runOdooStep({ ctx: options.ctx, kind: "test", logName: "install.log", args });
}

/** `odoo neutralize -d DB` (Odoo ≥ 16) → neutralize.log */
export function neutralize(options: { ctx: OdooContext }): Promise<StepResult> {
  return runOdooStep({ ctx: options.ctx, kind: "neutralize", logName: "neutralize.log", args: neutralizeArgs(base(options.ctx)) });
}
