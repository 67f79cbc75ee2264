import type { ManagedPostgres } from "../postgres";
import { withClient } from "../postgres";

/**
 * Sets the database's `web.base.url` to the address users reach the build at, and freezes it:
 * without `web.base.url.freeze` Odoo rewrites the URL to whatever host an administrator logs in
 * from. Links in mails, reports and portal pages then point at this build (a staging copy of
 * production no longer links to production). Idempotent.
 */
export async function pinBaseUrl(options: { pg: ManagedPostgres; database: string; url: string }): Promise<void> {
  await withClient({ pg: options.pg, database: options.database }, async (c) => {
    for (const [key, value] of [
      ["web.base.url", options.url],
      ["web.base.url.freeze", "True"],
    ] as const) {
      const updated = await c.query("UPDATE ir_config_parameter SET value = $2, write_date = now() at time zone 'UTC' WHERE key = $1", [
        key,
        value,
      ]);
      if (updated.rowCount === 0) {
        await c.query(
          "INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES ($1, $2, now() at time zone 'UTC', now() at time zone 'UTC')",
          [key, value],
        );
      }
    }
  });
}
