import type { ManagedPostgres } from "../postgres";
import { withClient } from "../postgres";

/**
 * Sets the database's `web.base.url` to the address users reach the build at, and freezes it:
 * without `web.base.url.freeze` Odoo rewrites the URL to whatever host an administrator logs in
 * from. Links in mails, reports and portal pages then point at this build (a staging copy of
 * production no longer links to production). Idempotent.
 */
export async function pinBaseUrl(options: { pg: ManagedPostgres; database: string; url: string }): Promise<void> {
  // One statement (a build's start waits for it): both keys updated where they exist, inserted
  // where they do not.
  await withClient({ pg: options.pg, database: options.database }, (c) =>
    c.query(
      `WITH wanted (key, value) AS (VALUES ('web.base.url', $1::varchar), ('web.base.url.freeze', 'True')),
            updated AS (
              UPDATE ir_config_parameter p SET value = w.value, write_date = now() at time zone 'UTC'
                FROM wanted w WHERE p.key = w.key RETURNING p.key)
       INSERT INTO ir_config_parameter (key, value, create_date, write_date)
         SELECT key, value, now() at time zone 'UTC', now() at time zone 'UTC' FROM wanted
          WHERE key NOT IN (SELECT key FROM updated)`,
      [options.url],
    ),
  );
}
