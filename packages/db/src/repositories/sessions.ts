import type { PrismaClient } from "../generated/prisma/client";
import type { AuthUser } from "./users";

export interface ActiveSession {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  user: AuthUser;
}

export interface SessionRepository {
  create(options: {
    tokenHash: string;
    userId: string;
    expiresAt: Date;
    ip?: string | null;
    userAgent?: string | null;
  }): Promise<{ id: string }>;
  /** The session for this token hash if it is neither expired, revoked, nor of a disabled user. */
  findActive(options: { tokenHash: string; now: Date }): Promise<ActiveSession | null>;
  /** Records activity and slides the expiry; no effect on a revoked session. */
  touch(options: { id: string; lastSeenAt: Date; expiresAt: Date }): Promise<void>;
  /** Revokes the session with this token hash; returns whether an active one was revoked. */
  revoke(options: { tokenHash: string; now: Date }): Promise<boolean>;
}

export function createSessionRepository(options: { prisma: PrismaClient }): SessionRepository {
  const { prisma } = options;
  return {
    async create({ tokenHash, userId, expiresAt, ip, userAgent }) {
      return prisma.session.create({
        data: { tokenHash, userId, expiresAt, ip: ip ?? null, userAgent: userAgent?.slice(0, 500) ?? null },
        select: { id: true },
      });
    },

    async findActive({ tokenHash, now }) {
      const row = await prisma.session.findFirst({
        where: { tokenHash, revokedAt: null, expiresAt: { gt: now }, user: { disabledAt: null } },
        select: {
          id: true,
          createdAt: true,
          lastSeenAt: true,
          expiresAt: true,
          user: { select: { id: true, login: true, name: true, isSuperuser: true } },
        },
      });
      return row;
    },

    async touch({ id, lastSeenAt, expiresAt }) {
      await prisma.session.updateMany({ where: { id, revokedAt: null }, data: { lastSeenAt, expiresAt } });
    },

    async revoke({ tokenHash, now }) {
      const result = await prisma.session.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
      return result.count > 0;
    },
  };
}
