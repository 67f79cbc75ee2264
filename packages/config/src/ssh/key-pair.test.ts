import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSshKeyPair, publicKeyMaterial } from "./key-pair";
import { parseSshPublicKey } from "./public-key";

describe("generateSshKeyPair", () => {
  it("writes an Ed25519 pair that OpenSSH reads: ssh-keygen derives the same public key from the private one", () => {
    const pair = generateSshKeyPair({ comment: "slipway deploy key: acme/shop" });
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* slipway-deploy-key:-acme-shop$/);
    expect(pair.privateKey.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")).toBe(true);
    expect(parseSshPublicKey(pair.publicKey).fingerprint).toBe(pair.fingerprint);
    const dir = mkdtempSync(join(tmpdir(), "keypair-"));
    try {
      const file = join(dir, "id");
      writeFileSync(file, pair.privateKey, { mode: 0o600 });
      const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" });
      expect(publicKeyMaterial(derived)).toBe(publicKeyMaterial(pair.publicKey));
      const fp = execFileSync("ssh-keygen", ["-l", "-f", file], { encoding: "utf8" });
      expect(fp).toContain(pair.fingerprint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never generates the same key twice", () => {
    expect(generateSshKeyPair({ comment: "a" }).publicKey).not.toBe(generateSshKeyPair({ comment: "a" }).publicKey);
  });
});
