// What happens to a restored or imported database before it takes a branch's place:
// - into staging: the platform's neutralization (docs/product/staging-neutralization.md) and its verification;
// - an import into production: crons (but the autovacuum), outgoing and incoming mail servers off,
//   as Odoo.sh does, so an imported copy never mails customers before someone checks it.
// Runs on the scratch database, before the swap: a failure leaves the branch untouched.
import { AUTOVACUUM_CRON_IDS, DomainError } from "@slipway/domain";
import type { DockerEngine } from "@slipway/docker";
import type { OdooContext } from "../../odoo/driver";
import { databaseCredentials, type ManagedPostgres } from "../../postgres";
import { neutralizeDatabase } from "../../odoo/neutralize-database";
import { withClient } from "../../postgres";

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

/**
 * The staging neutralization of the build pipeline (neutralizeDatabase: `odoo neutralize` where it
 * exists, the platform's statements, the verification), run on the scratch copy; throws when it
 * fails or does not verify. neutralize.log goes to `logDir`.
 */
export async function neutralizeCopy(options: {
  docker: DockerEngine;
  pg: ManagedPostgres;
  database: string;
  catcher: MailCatcher;
  /** The project's Odoo image and version (`odoo neutralize` runs in it). */
  image: string;
  odooVersion: string;
  /** The target's data volume (mounted as the run's /var/lib/odoo). */
  volume: string;
  /** The project's network (the run reaches the managed server there, nothing else). */
  network: string;
  logDir: string;
  labels: Record<string, string>;
}): Promise<void> {
  const { pg } = options;
  const old = await withClient({ pg, database: options.database }, (c) =>
    c.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"),
  );
  const ctx: OdooContext = {
    docker: options.docker,
    image: options.image,
    database: options.database,
    // The scratch database's own role: `odoo neutralize` can touch nothing else.
    db: databaseCredentials(pg, options.database),
    network: options.network,
    dataVolume: options.volume,
    logDir: options.logDir,
    labels: options.labels,
  };
  const outcome = await neutralizeDatabase({
    ctx,
    pg,
    odooVersion: options.odooVersion,
    catcher: options.catcher,
    oldUuid: old.rows[0]?.value ?? "",
  });
  if (!outcome.ok) throw new DomainError("upstream_failed", `the restored database could not be neutralized: ${outcome.reason}`);
}
