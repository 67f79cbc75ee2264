import { insertAuditEntry, type Db, type DbTx, type NewAuditEntry } from "@slipway/db";

/**
 * Records who did what (docs/product/roles-and-access.md audit log). Every change goes through here: project
 * creation, collaborators, settings, rebuild/cancel/connect, and (other areas) stage moves,
 * merges, backups, restores, imports, shell sessions. Pass a transaction client to make the entry
 * part of the change. Details must never carry secrets.
 */
export async function recordAudit(options: {
  prisma: Db | DbTx;
  actorId: string | null;
  projectId: string | null;
  action: string;
  target?: string | null;
  details?: NewAuditEntry["details"];
  ip?: string | null;
}): Promise<void> {
  const { prisma, ...entry } = options;
  await insertAuditEntry(prisma, entry);
}
