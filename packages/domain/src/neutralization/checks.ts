import { assertHostname, assertPort, assertUuid, sqlString } from "./sql";
import { AUTOVACUUM_CRON_IDS, CATCHER_MAIL_SERVER_NAME } from "./statements";

export interface NeutralizationCheck {
  name: string;
  /** One row: `ok` boolean, `detail` text (what was found, for neutralize.log). */
  sql: string;
  /** Why the build is refused when `ok` is false. */
  message: string;
}

/**
 * Verification after neutralization (docs/product/staging-neutralization.md): the build must not start unless every check
 * returns ok = true. Each query returns exactly one row (aggregates without GROUP BY, or scalar
 * sub-selects), so a missing row is itself a failure for the caller.
 */
export function neutralizationChecks({
  catcherHost,
  catcherPort,
  oldUuid,
  newUuid,
}: {
  catcherHost: string;
  catcherPort: number;
  /** `database.uuid` of the source (production) database before the copy. */
  oldUuid: string;
  /** The uuid the statements set, when known: then the check also requires exactly that value. */
  newUuid?: string;
}): NeutralizationCheck[] {
  assertHostname(catcherHost, "Mail catcher host");
  assertPort(catcherPort, "Mail catcher port");
  if (newUuid !== undefined) assertUuid(newUuid, "New database UUID");
  const old = sqlString(oldUuid);
  const expectedUuid = newUuid === undefined ? "" : ` AND lower(u.value) = ${sqlString(newUuid.toLowerCase())}`;

  return [
    {
      name: "no_active_cron_but_autovacuum",
      sql: `SELECT count(*) = 0 AS ok,
  coalesce('still active: ' || string_agg(coalesce(to_jsonb(c) ->> 'cron_name', to_jsonb(c) ->> 'name', '#' || c.id), ', ' ORDER BY c.id), 'none active') AS detail
FROM ir_cron c WHERE c.active AND c.id NOT IN (${AUTOVACUUM_CRON_IDS})`,
      message: "Scheduled actions other than the autovacuum are still active after neutralization.",
    },
    {
      name: "only_catcher_mail_server",
      sql: `SELECT count(*) FILTER (WHERE s.is_catcher) >= 1 AND count(*) FILTER (WHERE NOT s.is_catcher) = 0 AS ok,
  coalesce('active: ' || string_agg(s.name || ' (' || coalesce(s.smtp_host, '') || ':' || coalesce(s.smtp_port::text, '') || ')', ', ' ORDER BY s.id), 'no active server') AS detail
FROM (SELECT m.id, m.name, m.smtp_host, m.smtp_port,
        (m.name = ${sqlString(CATCHER_MAIL_SERVER_NAME)} AND m.smtp_host = ${sqlString(catcherHost)} AND m.smtp_port = ${catcherPort}) AS is_catcher
      FROM ir_mail_server m WHERE m.active) s`,
      message: "An outgoing mail server other than the platform's mail catcher is active, or the catcher is missing.",
    },
    {
      name: "neutralized_flag_set",
      sql: `SELECT coalesce(lower(p.value) IN ('true', 't', '1'), false) AS ok, 'database.is_neutralized = ' || coalesce(p.value, '(unset)') AS detail
FROM (SELECT (SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized') AS value) p`,
      message: "The database is not flagged as neutralized (database.is_neutralized).",
    },
    {
      name: "uuid_changed",
      sql: `SELECT coalesce(u.value <> '' AND lower(u.value) <> lower(${old})${expectedUuid}, false) AS ok, 'database.uuid = ' || coalesce(u.value, '(unset)') AS detail
FROM (SELECT (SELECT value FROM ir_config_parameter WHERE key = 'database.uuid') AS value) u`,
      message: "The database still has the production database.uuid.",
    },
  ];
}
