// What happens to a restored or imported database before it takes a branch's place:
// - into staging: the platform's neutralization (PRODUCT.md §5) and its verification;
// - an import into production: crons (but the autovacuum), outgoing and incoming mail servers off,
//   as Odoo.sh does, so an imported copy never mails customers before someone checks it.
// Runs on the scratch database, before the swap: a failure leaves the branch untouched.
import { randomBytes, randomUUID } from "node:crypto";
import { AUTOVACUUM_CRON_IDS, DomainError, neutralizationChecks, neutralizationStatements } from "@slipway/domain";
import type { ManagedPostgres } from "../../odoo/managed-postgres";
import { withClient } from "../../odoo/odoo-databases";

export interface MailCatcher {
  host: string;
  port: number;
}

export async function disableCronsAndMail(options: { pg: ManagedPostgres; database: string }): Promise<void> {
  const sql = `DO $slipway$ BEGIN
IF to_regclass('public.ir_cron') IS NOT NULL THEN
  UPDATE ir_cron c SET active = false WHERE c.active AND c.id NOT IN (${AUTOVACUUM_CRON_IDS});
END IF;
IF to_regclass('public.ir_mail_server') IS NOT NULL THEN UPDATE ir_mail_server SET active = false WHERE active; END IF;
IF to_regclass('public.fetchmail_server') IS NOT NULL THEN UPDATE fetchmail_server SET active = false WHERE active; END IF;
END $slipway$;`;
  await withClient({ pg: options.pg, database: options.database }, (c) => c.query(sql));
}

/** The platform's statements in one transaction, then the checks; throws when one fails. */
export async function neutralizeCopy(options: { pg: ManagedPostgres; database: string; catcher: MailCatcher }): Promise<{ checks: { name: string; detail: string }[] }> {
  return withClient({ pg: options.pg, database: options.database }, async (c) => {
    const old = await c.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'");
    const oldUuid = old.rows[0]?.value ?? "00000000-0000-0000-0000-000000000000";
    const newUuid = randomUUID();
    const statements = neutralizationStatements({ catcherHost: options.catcher.host, catcherPort: options.catcher.port, newUuid, newSecret: randomBytes(32).toString("hex") });
    await c.query("BEGIN");
    try {
      for (const s of statements) await c.query(s.sql);
      await c.query("COMMIT");
    } catch (error) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw new DomainError("upstream_failed", `neutralization failed: ${(error as Error).message}`, { cause: error });
    }
    const results: { name: string; detail: string }[] = [];
    const failed: string[] = [];
    for (const check of neutralizationChecks({ catcherHost: options.catcher.host, catcherPort: options.catcher.port, oldUuid, newUuid })) {
      const row = (await c.query<{ ok: boolean; detail: string }>(check.sql)).rows[0];
      results.push({ name: check.name, detail: row?.detail ?? "" });
      if (row?.ok !== true) failed.push(`${check.message} (${row?.detail ?? "no row"})`);
    }
    if (failed.length > 0) throw new DomainError("upstream_failed", `the restored database is not neutralized: ${failed.join("; ")}`);
    return { checks: results };
  });
}
