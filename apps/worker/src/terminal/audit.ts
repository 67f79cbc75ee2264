import { insertShellAudit, type Db } from "@slipway/db";

/**
 * Shell sessions in the audit log (docs/product/roles-and-access.md). The worker writes the rows itself: the web
 * app's audit helper lives in the web process, and the gateway is the one that sees the session
 * open and close.
 */
export async function recordShellAudit(options: {
  prisma: Db;
  action: "shell.open" | "shell.close" | "shell.resume" | "shell.refused";
  projectId: string | null;
  actorId: string | null;
  buildId?: string;
  ip?: string | null;
  details: Record<string, unknown>;
}): Promise<void> {
  await insertShellAudit(options.prisma, {
    projectId: options.projectId,
    actorId: options.actorId,
    action: options.action,
    target: options.buildId ? `build:${options.buildId}` : null,
    details: options.details,
    ip: options.ip ?? null,
  });
}
