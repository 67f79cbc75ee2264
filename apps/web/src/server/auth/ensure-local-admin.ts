import type { UserRepository } from "@slipway/db";
import { generatePassword, hashPassword } from "./password";

export type EnsureLocalAdminResult = { created: false; login: string } | { created: true; login: string; generatedPassword?: string };

/**
 * First start: creates the local admin account. The password comes from the configuration, or
 * is generated and returned so the caller can show it once. An existing account is never changed.
 */
export async function ensureLocalAdmin(options: {
  users: UserRepository;
  login: string;
  password?: string;
}): Promise<EnsureLocalAdminResult> {
  const existing = await options.users.findCredentialsByLogin({ login: options.login });
  if (existing) return { created: false, login: options.login };

  const generatedPassword = options.password === undefined ? generatePassword() : undefined;
  const passwordHash = await hashPassword({ password: options.password ?? generatedPassword! });
  const { created } = await options.users.createLocalAdminIfMissing({ login: options.login, passwordHash });
  if (!created) return { created: false, login: options.login };
  return generatedPassword === undefined
    ? { created: true, login: options.login }
    : { created: true, login: options.login, generatedPassword };
}

/** The one line printed when a password was generated (it is not stored anywhere readable). */
export function generatedPasswordNotice(options: { login: string; password: string }): string {
  return `Slipway: created local admin "${options.login}" with password: ${options.password} (shown once)`;
}
