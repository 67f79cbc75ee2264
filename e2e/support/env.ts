import pg from "pg";

/** The admin account the platform was started with (see scripts/test.mjs). */
export function adminCredentials(): { login: string; password: string } {
  const password = process.env.SLIPWAY_ADMIN_PASSWORD;
  if (!password) throw new Error("SLIPWAY_ADMIN_PASSWORD must be set to the password the platform was started with");
  return { login: process.env.SLIPWAY_ADMIN_LOGIN || "admin", password };
}

/** Runs one query against the control-plane database the app under test uses. */
export async function queryControlPlane<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL must point at the control-plane database of the app under test");
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function sessionCount(): Promise<number> {
  const rows = await queryControlPlane<{ count: string }>('SELECT count(*)::text AS count FROM "Session"');
  return Number(rows[0]?.count ?? 0);
}

export const SESSION_COOKIE = "slipway_session";
