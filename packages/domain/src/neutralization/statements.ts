import { assertHostname, assertPort, assertSecret, assertUuid, columnExists, doBlock, ifThen, sqlString, tableExists } from "./sql";

export interface NeutralizationStatement {
  /** Stable snake_case name, logged to neutralize.log. */
  name: string;
  /** What it does, for neutralize.log. */
  purpose: string;
  sql: string;
}

export interface NeutralizationOptions {
  /** Host name of the platform's mail catcher, as seen from the build container. */
  catcherHost: string;
  catcherPort: number;
  /** New `database.uuid` (a fresh UUID, so the copy is not mistaken for production). */
  newUuid: string;
  /** New `database.secret` (signs sessions and tokens; must not stay production's). */
  newSecret: string;
}

/** Name of the outgoing mail server row the platform owns in every neutralized database. */
export const CATCHER_MAIL_SERVER_NAME = "Slipway mail catcher";

const utcNow = "(now() at time zone 'UTC')";

/**
 * Ids of the crons to keep: `base.autovacuum_job` through ir_model_data; only when that XML id is
 * missing, the first cron whose name looks like "Auto-vacuum" (to_jsonb reads `cron_name` (Odoo ≥ 11)
 * or `name` (older) without naming a column that may not exist). Shared with the verification.
 */
export const AUTOVACUUM_CRON_IDS = `SELECT d.res_id FROM ir_model_data d
    WHERE d.module = 'base' AND d.name = 'autovacuum_job' AND d.model = 'ir.cron' AND d.res_id IS NOT NULL
  UNION ALL
  (SELECT v.id FROM ir_cron v
    WHERE NOT EXISTS (SELECT 1 FROM ir_model_data d WHERE d.module = 'base' AND d.name = 'autovacuum_job' AND d.model = 'ir.cron' AND d.res_id IS NOT NULL)
      AND coalesce(to_jsonb(v) ->> 'cron_name', to_jsonb(v) ->> 'name', '') ILIKE '%auto%vacuum%'
    ORDER BY v.id LIMIT 1)`;

function upsertParameter(key: string, valueSql: string): string {
  const k = sqlString(key);
  return `UPDATE ir_config_parameter SET value = ${valueSql}, write_date = ${utcNow} WHERE key = ${k};
IF NOT FOUND THEN
  INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES (${k}, ${valueSql}, ${utcNow}, ${utcNow});
END IF;`;
}

/** `UPDATE table SET column = NULL` for each (table, column) that exists. */
function clearColumns(pairs: [string, string][]): string {
  return pairs
    .map(([table, column]) => ifThen(columnExists(table, column), `UPDATE ${table} SET ${column} = NULL WHERE ${column} IS NOT NULL;`))
    .join("\n");
}

/**
 * The platform's own neutralization, run after Odoo's `neutralize` (Odoo ≥ 16) and alone before,
 * in this order, in one transaction. Every statement is a DO block whose parts are guarded by the
 * existence of their table/column, so the same list is a no-op where a module is not installed and
 * works from Odoo 8 to 18. PL/pgSQL checks table and column names only when a statement runs, so a
 * guarded statement naming a missing column is never analysed.
 *
 * Mail: Odoo's base neutralize deactivates every server and inserts an active dummy server
 * ('neutralization - disable emails', host 'invalid', port 1025, sequence 10) so nothing falls back
 * to the command-line SMTP settings. The catcher must be the server Odoo uses, so here every server
 * but ours is deactivated (Odoo's dummy included), ours is upserted active with sequence 0 and no
 * from_filter (Odoo picks the first active server by sequence that matches, then any without a
 * from_filter), and references pinning a specific server (queued mails, templates, mailings) are
 * cleared, because Odoo connects to an explicitly referenced server even when it is archived.
 */
export function neutralizationStatements(options: NeutralizationOptions): NeutralizationStatement[] {
  const { catcherHost, catcherPort, newUuid, newSecret } = options;
  assertHostname(catcherHost, "Mail catcher host");
  assertPort(catcherPort, "Mail catcher port");
  assertUuid(newUuid, "New database UUID");
  assertSecret(newSecret, "New database secret");

  const name = sqlString(CATCHER_MAIL_SERVER_NAME);
  const host = sqlString(catcherHost);
  const port = String(catcherPort);

  return [
    {
      name: "crons_off",
      purpose: "Deactivate every scheduled action except the autovacuum",
      sql: doBlock(
        ifThen(tableExists("ir_cron"), `UPDATE ir_cron c SET active = false WHERE c.active AND c.id NOT IN (${AUTOVACUUM_CRON_IDS});`),
      ),
    },
    {
      name: "mail_servers_to_catcher",
      purpose: "Deactivate every outgoing mail server and route mail to the platform's mail catcher",
      sql: doBlock(
        ifThen(
          tableExists("ir_mail_server"),
          `UPDATE ir_mail_server SET active = false WHERE active AND name IS DISTINCT FROM ${name};
UPDATE ir_mail_server SET smtp_host = ${host}, smtp_port = ${port}, smtp_user = NULL, smtp_pass = NULL, smtp_encryption = 'none',
  sequence = 0, active = true, write_date = ${utcNow} WHERE name = ${name};
IF NOT FOUND THEN
  ${ifThen(
    columnExists("ir_mail_server", "smtp_authentication"),
    `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, sequence, active, create_date, write_date)
    VALUES (${name}, ${host}, ${port}, 'none', 'login', 0, true, ${utcNow}, ${utcNow});`,
    `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, sequence, active, create_date, write_date)
    VALUES (${name}, ${host}, ${port}, 'none', 0, true, ${utcNow}, ${utcNow});`,
  )}
END IF;
${ifThen(columnExists("ir_mail_server", "from_filter"), `UPDATE ir_mail_server SET from_filter = NULL WHERE name = ${name};`)}
${ifThen(columnExists("ir_mail_server", "smtp_authentication"), `UPDATE ir_mail_server SET smtp_authentication = 'login' WHERE name = ${name};`)}`,
        ),
      ),
    },
    {
      name: "mail_server_references_cleared",
      purpose: "Let queued mails, templates and mailings use the default (catcher) server",
      sql: doBlock(
        clearColumns([
          ["mail_mail", "mail_server_id"],
          ["mail_template", "mail_server_id"],
          ["email_template", "mail_server_id"],
          ["mailing_mailing", "mail_server_id"],
          ["mail_mass_mailing", "mail_server_id"],
        ]),
      ),
    },
    {
      name: "fetchmail_off",
      purpose: "Deactivate incoming mail servers",
      sql: doBlock(ifThen(columnExists("fetchmail_server", "active"), "UPDATE fetchmail_server SET active = false WHERE active;")),
    },
    {
      name: "payment_providers_off",
      purpose: "Disable payment providers (acquirers before Odoo 16); old acquirers go to the test environment",
      sql: doBlock(
        [
          ifThen(
            columnExists("payment_provider", "state"),
            "UPDATE payment_provider SET state = 'disabled' WHERE state NOT IN ('test', 'disabled');",
          ),
          ifThen(
            columnExists("payment_acquirer", "state"),
            "UPDATE payment_acquirer SET state = 'disabled' WHERE state NOT IN ('test', 'disabled');",
          ),
          ifThen(
            columnExists("payment_acquirer", "environment"),
            "UPDATE payment_acquirer SET environment = 'test' WHERE environment IS DISTINCT FROM 'test';",
          ),
        ].join("\n"),
      ),
    },
    {
      name: "delivery_carriers_test",
      purpose: "Put shipping connectors in test mode and deactivate external carriers",
      sql: doBlock(
        [
          ifThen(
            columnExists("delivery_carrier", "prod_environment"),
            "UPDATE delivery_carrier SET prod_environment = false WHERE prod_environment;",
          ),
          ifThen(
            `${columnExists("delivery_carrier", "delivery_type")} AND ${columnExists("delivery_carrier", "active")}`,
            "UPDATE delivery_carrier SET active = false WHERE active AND delivery_type NOT IN ('fixed', 'base_on_rule');",
          ),
        ].join("\n"),
      ),
    },
    {
      name: "iap_tokens_disabled",
      purpose: "Disable In-App Purchase account tokens",
      // Same marker as Odoo's own neutralize ("+disabled"); the token is cut to 32 characters first
      // because the column is varchar(43) in recent versions.
      sql: doBlock(
        ifThen(
          columnExists("iap_account", "account_token"),
          "UPDATE iap_account SET account_token = left(regexp_replace(account_token, '[+].*', ''), 32) || '+disabled'\n  WHERE account_token IS NOT NULL AND account_token NOT LIKE '%+disabled';",
        ),
      ),
    },
    {
      name: "website_hidden",
      purpose: "Tell search engines not to index websites; drop production domains and the CDN",
      sql: doBlock(
        [
          ifThen(columnExists("website", "robots_txt"), "UPDATE website SET robots_txt = 'User-agent: *' || chr(10) || 'Disallow: /';"),
          ifThen(columnExists("website", "domain"), "UPDATE website SET domain = NULL WHERE domain IS NOT NULL;"),
          ifThen(columnExists("website", "cdn_activated"), "UPDATE website SET cdn_activated = false WHERE cdn_activated;"),
        ].join("\n"),
      ),
    },
    {
      name: "webhooks_off",
      purpose: "Disable outgoing webhooks of server actions (Odoo ≥ 17)",
      sql: doBlock(
        ifThen(
          columnExists("ir_act_server", "webhook_url"),
          "UPDATE ir_act_server SET webhook_url = 'neutralization - disable webhook' WHERE state = 'webhook';",
        ),
      ),
    },
    {
      name: "neutralized_flag",
      purpose: "Set database.is_neutralized (Odoo shows the red banner)",
      sql: doBlock(ifThen(tableExists("ir_config_parameter"), upsertParameter("database.is_neutralized", "'true'"))),
    },
    {
      name: "database_identity",
      purpose: "Give the copy its own database.uuid and database.secret",
      sql: doBlock(
        ifThen(
          tableExists("ir_config_parameter"),
          `${upsertParameter("database.uuid", sqlString(newUuid.toLowerCase()))}\n${upsertParameter("database.secret", sqlString(newSecret))}`,
        ),
      ),
    },
  ];
}
