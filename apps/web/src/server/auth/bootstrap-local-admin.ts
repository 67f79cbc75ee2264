import { writeFileSync } from "node:fs";
import path from "node:path";
import { deps } from "../deps";
import { ensureLocalAdmin, generatedPasswordNotice } from "./ensure-local-admin";

/**
 * Server start: make sure the local admin exists. A failure (database down, migrations missing)
 * is reported but does not stop the server: /api/health shows the cause, and the next start retries.
 */
export async function bootstrapLocalAdmin(): Promise<void> {
  const { config, users } = deps();
  try {
    const result = await ensureLocalAdmin({ users, login: config.admin.login, password: config.admin.password });
    if (!result.created) return;
    if (result.generatedPassword) {
      // stdout on purpose, once: the operator needs it to sign in the first time.
      process.stdout.write(`${generatedPasswordNotice({ login: result.login, password: result.generatedPassword })}\n`);
      // Also kept (owner-only) in the state folder, so a missed terminal line does not lock the operator out.
      const file = path.join(config.home, "initial-admin-password");
      try {
        writeFileSync(file, `${result.login}\n${result.generatedPassword}\n`, { mode: 0o600 });
      } catch (error) {
        console.error(`Slipway web: could not write ${file}: ${(error as Error).message}`);
      }
    } else {
      process.stdout.write(`Slipway: created local admin "${result.login}" with the password from SLIPWAY_ADMIN_PASSWORD\n`);
    }
  } catch (error) {
    console.error(`Slipway web: could not ensure the local admin account: ${error instanceof Error ? error.message : String(error)}`);
  }
}
