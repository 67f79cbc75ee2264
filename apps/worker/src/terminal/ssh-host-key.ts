import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { sshHostKeyFile } from "@slipway/config";
// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader, only its default.
import ssh2 from "ssh2";

/**
 * The SSH server's host key (Ed25519, OpenSSH format): generated on the first start and kept in
 * the state folder (`<home>/state/ssh/host_ed25519_key`, 0600 in a 0700 folder), so clients see
 * the same host from one start to the next.
 */
export function loadOrCreateHostKey(home: string): { privateKey: string; created: boolean } {
  const file = sshHostKeyFile(home);
  if (existsSync(file)) {
    // Tightened if someone loosened it (a copy, a restore).
    chmodSync(file, 0o600);
    return { privateKey: readFileSync(file, "utf8"), created: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "slipway host key" });
  // "wx": two workers starting at once cannot overwrite each other's key; the loser reads the winner's.
  try {
    writeFileSync(file, pair.private, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { privateKey: readFileSync(file, "utf8"), created: false };
    throw error;
  }
  return { privateKey: pair.private, created: true };
}
