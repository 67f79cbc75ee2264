import { Prisma } from "../generated/prisma/client";

/** True when err is a unique-constraint violation (optionally on the given field set). */
export function isUniqueViolation(err: unknown, fields?: string[]): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return false;
  if (!fields) return true;
  const target = JSON.stringify(err.meta ?? {});
  return fields.every((f) => target.includes(f));
}
