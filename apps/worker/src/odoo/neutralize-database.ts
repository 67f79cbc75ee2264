// Neutralization of a copy of production (docs/product/staging-neutralization.md): Odoo's own `odoo neutralize` where it
// exists (Odoo ≥ 16), then the platform's statements for every version in ONE transaction, then the
// verification queries. Everything is written to neutralize.log; any failure refuses the build.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { neutralizationChecks, neutralizationStatements, type OffendingLine, type RunClassification } from "@slipway/domain";
import { neutralize, platformLine, type OdooContext } from "./driver";
import type { ManagedPostgres } from "../postgres";
import { queryDatabase, withClient } from "../postgres";

export interface MailCatcherAddress {
  /** As seen from build containers. */
  host: string;
  port: number;
}

export type NeutralizeOutcome =
  | {
      ok: true;
      newUuid: string;
      odooNeutralize: boolean;
      classification: RunClassification | null;
      checks: { name: string; detail: string }[];
    }
  | { ok: false; reason: string; offending: (OffendingLine & { step: string })[] };

/** `odoo neutralize` exists from Odoo 16 on (`17.0`, `saas~17.2`, `16.0` → major version). */
export function hasOdooNeutralize(odooVersion: string): boolean {
  const major = Number(/(\d+)/.exec(odooVersion)?.[1] ?? 0);
  return major >= 16;
}

export async function readDatabaseUuid(options: { pg: ManagedPostgres; database: string }): Promise<string> {
  const rows = await queryDatabase<{ value: string }>({
    ...options,
    sql: "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'",
  });
  return rows[0]?.value ?? "";
}

/** Runs the verification queries; the names and messages of failed checks, or none. */
export async function verifyNeutralization(options: {
  pg: ManagedPostgres;
  database: string;
  catcher: MailCatcherAddress;
  oldUuid: string;
  newUuid?: string;
  logFile: string;
}): Promise<{ failed: string[]; checks: { name: string; detail: string }[] }> {
  const checks = neutralizationChecks({
    catcherHost: options.catcher.host,
    catcherPort: options.catcher.port,
    oldUuid: options.oldUuid,
    newUuid: options.newUuid,
  });
  const failed: string[] = [];
  const results: { name: string; detail: string }[] = [];
  await withClient({ pg: options.pg, database: options.database }, async (c) => {
    for (const check of checks) {
      let row: { ok: boolean; detail: string } | undefined;
      try {
        row = (await c.query<{ ok: boolean; detail: string }>(check.sql)).rows[0];
      } catch (e) {
        row = { ok: false, detail: `query failed: ${(e as Error).message}` };
      }
      const ok = row?.ok === true;
      platformLine(options.logFile, `check ${check.name}: ${ok ? "ok" : "FAILED"} (${row?.detail ?? "no row"})`);
      results.push({ name: check.name, detail: row?.detail ?? "" });
      if (!ok) failed.push(`${check.name}: ${check.message} (${row?.detail ?? "no row"})`);
    }
  });
  return { failed, checks: results };
}

export async function neutralizeDatabase(options: {
  ctx: OdooContext;
  pg: ManagedPostgres;
  odooVersion: string;
  catcher: MailCatcherAddress;
  oldUuid: string;
}): Promise<NeutralizeOutcome> {
  const { ctx, pg } = options;
  mkdirSync(ctx.logDir, { recursive: true });
  const logFile = join(ctx.logDir, "neutralize.log");
  let classification: RunClassification | null = null;
  const odooNeutralize = hasOdooNeutralize(options.odooVersion);
  if (odooNeutralize) {
    const run = await neutralize({ ctx });
    classification = run.classification;
    if (run.classification.status === "red") {
      return {
        ok: false,
        reason: `odoo neutralize failed: ${run.classification.reasons.join("; ")}`,
        offending: run.classification.offending.map((o) => ({ ...o, step: "neutralize" })),
      };
    }
  } else {
    platformLine(logFile, `Odoo ${options.odooVersion} has no "odoo neutralize": the platform's statements only`);
  }

  const newUuid = randomUUID();
  const statements = neutralizationStatements({
    catcherHost: options.catcher.host,
    catcherPort: options.catcher.port,
    newUuid,
    newSecret: randomBytes(24).toString("base64url"),
  });
  platformLine(
    logFile,
    `${new Date().toISOString()} platform neutralization of ${ctx.database}: ${statements.length} statements in one transaction`,
  );
  try {
    await withClient({ pg, database: ctx.database }, async (c) => {
      await c.query("BEGIN");
      try {
        for (const s of statements) {
          platformLine(logFile, `statement ${s.name}: ${s.purpose}`);
          await c.query(s.sql);
        }
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
    });
  } catch (e) {
    platformLine(logFile, `platform neutralization failed, rolled back: ${(e as Error).message}`);
    return { ok: false, reason: `the platform's neutralization failed (rolled back): ${(e as Error).message}`, offending: [] };
  }
  platformLine(logFile, "platform neutralization committed; verifying");
  const verdict = await verifyNeutralization({
    pg,
    database: ctx.database,
    catcher: options.catcher,
    oldUuid: options.oldUuid,
    newUuid,
    logFile,
  });
  if (verdict.failed.length > 0) {
    platformLine(logFile, `verification failed: the build is refused`);
    return { ok: false, reason: `neutralization verification failed: ${verdict.failed.join("; ")}`, offending: [] };
  }
  platformLine(logFile, "verification passed");
  return { ok: true, newUuid, odooNeutralize, classification, checks: verdict.checks };
}
