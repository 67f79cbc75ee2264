import { Prisma, type PrismaClient } from "../generated/prisma/client";

/** A user as the web app's authentication needs it (never carries the password hash). */
export interface AuthUser {
  id: string;
  login: string;
  name: string | null;
  isSuperuser: boolean;
}

/** The user plus the stored password hash, for verifying a login only. */
export interface UserCredentials extends AuthUser {
  passwordHash: string | null;
  disabled: boolean;
}

const authUserSelect = { id: true, login: true, name: true, isSuperuser: true } as const;

export interface UserRepository {
  /** Exact (case-sensitive) login match; null when absent. */
  findCredentialsByLogin(options: { login: string }): Promise<UserCredentials | null>;
  findById(options: { id: string }): Promise<AuthUser | null>;
  /**
   * Creates the local superuser unless a user with that login exists; never touches an existing
   * row (its password stays). Safe when several processes start at once.
   */
  createLocalAdminIfMissing(options: { login: string; passwordHash: string }): Promise<{ created: boolean; user: AuthUser }>;
}

export function createUserRepository(options: { prisma: PrismaClient }): UserRepository {
  const { prisma } = options;
  return {
    async findCredentialsByLogin({ login }) {
      const row = await prisma.user.findUnique({
        where: { login },
        select: { ...authUserSelect, passwordHash: true, disabledAt: true },
      });
      if (!row) return null;
      const { disabledAt, ...rest } = row;
      return { ...rest, disabled: disabledAt !== null };
    },

    findById({ id }) {
      return prisma.user.findUnique({ where: { id }, select: authUserSelect });
    },

    async createLocalAdminIfMissing({ login, passwordHash }) {
      const existing = await prisma.user.findUnique({ where: { login }, select: authUserSelect });
      if (existing) return { created: false, user: existing };
      try {
        const user = await prisma.user.create({
          data: { login, name: "Administrator", passwordHash, isSuperuser: true },
          select: authUserSelect,
        });
        return { created: true, user };
      } catch (error) {
        // Another process created it between our read and our insert: theirs wins.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          const user = await prisma.user.findUniqueOrThrow({ where: { login }, select: authUserSelect });
          return { created: false, user };
        }
        throw error;
      }
    },
  };
}
