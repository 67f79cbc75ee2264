// Worker start-up recovery's data: which database names belong to this control plane's builds
// (another Slipway sharing the state folder and the managed server keeps its own journal records).
import type { Db } from "../client";

/** The names among `names` that are the database of a build of this control plane. */
export async function listBuildDatabaseNames(db: Db, names: string[]): Promise<string[]> {
  const rows = await db.build.findMany({ where: { databaseName: { in: names } }, select: { databaseName: true } });
  return rows.flatMap((r) => (r.databaseName === null ? [] : [r.databaseName]));
}
