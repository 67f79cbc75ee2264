import { Prisma } from "../generated/prisma/client";

/**
 * True when err is a unique-constraint violation, optionally of the named constraint (e.g.
 * "WebhookDelivery_pkey", "Build_branchId_inProgressSlot_key"). With the pg driver adapter, Prisma
 * reports the violated index in meta.driverAdapterError rather than in meta.target.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return false;
  return constraint === undefined || JSON.stringify(err.meta ?? {}).includes(`"${constraint}"`);
}
