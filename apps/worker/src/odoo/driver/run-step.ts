import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyRun, type RunClassification, type RunKind } from "@slipway/domain";
import { BUILD_SECURITY, ensureVolume, runToCompletion } from "@slipway/docker";
import { ODOO_USER, contextEnv, contextLimits, contextMounts, ensureContextConfig, type OdooContext } from "./odoo-context";

export type StepLogName = "install.log" | "update.log" | "neutralize.log" | "odoo.log" | "pip.log" | "import.log";

export interface StepResult {
  kind: RunKind;
  /** null when the process never ran or ended without one. */
  exitCode: number | null;
  timedOut: boolean;
  logFile: string;
  durationMs: number;
  classification: RunClassification;
  /** The Odoo command line the run executed (the container's command; no secret in it). */
  command: string[];
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, "utf8");
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** A platform line in a step log; it does not match Odoo's format, so it is never counted as Odoo's. */
export function platformLine(logFile: string, text: string): void {
  appendFileSync(logFile, `[slipway] ${text}\n`);
}

/**
 * One `--stop-after-init` Odoo run in its own container, appended to the step's log file and
 * classified from its lines. Never throws for what can go wrong at run time (engine errors, the
 * image missing, the wall time): it reports a red step with the reason instead.
 */
export async function runOdooStep(options: { ctx: OdooContext; kind: RunKind; logName: StepLogName; args: string[] }): Promise<StepResult> {
  const { ctx, kind } = options;
  mkdirSync(ctx.logDir, { recursive: true });
  const logFile = join(ctx.logDir, options.logName);
  const limits = contextLimits(ctx);
  platformLine(logFile, `${new Date().toISOString()} ${kind}: ${options.args.join(" ")}`);
  const offset = countLines(logFile);
  const lines: string[] = [];
  const started = Date.now();
  try {
    await ensureVolume({ docker: ctx.docker, name: ctx.dataVolume, labels: { ...ctx.labels, role: "odoo-data", database: ctx.database } });
    await ensureContextConfig(ctx);
    const run = await runToCompletion({
      docker: ctx.docker,
      spec: {
        image: ctx.image,
        labels: { ...ctx.labels, role: `odoo-${kind}`, database: ctx.database },
        cmd: options.args,
        env: contextEnv(ctx),
        mounts: contextMounts(ctx),
        network: ctx.network,
        limits: { cpus: limits.cpus, memoryBytes: limits.memoryBytes },
        // The official image's user (uid 101), whatever USER the project's image says.
        user: ODOO_USER,
        security: BUILD_SECURITY,
      },
      timeoutMs: limits.timeoutMs,
      logFile,
      appendLog: true,
      onLine: (l) => lines.push(l.line),
    });
    if (run.timedOut) platformLine(logFile, `killed: the run exceeded its time limit of ${Math.round(limits.timeoutMs / 1000)} s`);
    const classification = classifyRun({
      kind,
      exitCode: run.timedOut ? null : run.exitCode,
      timedOut: run.timedOut,
      timeLimitSeconds: Math.round(limits.timeoutMs / 1000),
      output: lines.join("\n"),
    });
    return {
      kind,
      exitCode: run.timedOut ? null : run.exitCode,
      timedOut: run.timedOut,
      logFile,
      durationMs: run.durationMs,
      classification: shift(classification, offset),
      command: options.args,
    };
  } catch (error) {
    const reason = `${kind} run could not run: ${(error as Error).message}`;
    platformLine(logFile, reason);
    const classification = classifyRun({ kind, exitCode: null, output: lines.join("\n") });
    classification.status = "red";
    classification.reasons.unshift(reason);
    return {
      kind,
      exitCode: null,
      timedOut: false,
      logFile,
      durationMs: Date.now() - started,
      classification: shift(classification, offset),
      command: options.args,
    };
  }
}

/** Offending line numbers relative to the whole log file, not to this run's output. */
function shift(c: RunClassification, offset: number): RunClassification {
  return { ...c, offending: c.offending.map((o) => ({ ...o, line: o.line + offset })) };
}
