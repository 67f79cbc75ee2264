// One `--stop-after-init` run that installs the new modules and updates the changed ones of an
// existing database (staging and production), written to update.log. No demo data, no tests.
import { CONTAINER_PATHS, contextAddonsPath, runOdooStep, type OdooContext, type StepResult } from "./driver";

const MODULE = /^[a-z0-9_]+$/i;

export function applyModulePlanArgs(options: {
  database: string;
  addonsPath: string;
  install: readonly string[];
  update: readonly string[];
}): string[] {
  const { install, update } = options;
  if (install.length + update.length === 0) throw new Error("nothing to install or update");
  for (const m of [...install, ...update]) if (!MODULE.test(m)) throw new Error(`invalid module name: ${m}`);
  const args = ["odoo", "-d", options.database, "--data-dir", CONTAINER_PATHS.data];
  if (options.addonsPath) args.push("--addons-path", options.addonsPath);
  if (install.length > 0) args.push("-i", install.join(","));
  if (update.length > 0) args.push("-u", update.join(","));
  return [...args, "--without-demo=all", "--stop-after-init"];
}

export function applyModulePlan(options: { ctx: OdooContext; install: readonly string[]; update: readonly string[] }): Promise<StepResult> {
  const args = applyModulePlanArgs({
    database: options.ctx.database,
    addonsPath: contextAddonsPath(options.ctx),
    install: options.install,
    update: options.update,
  });
  return runOdooStep({ ctx: options.ctx, kind: "update", logName: "update.log", args });
}
