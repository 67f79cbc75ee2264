import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretDecryptError, decryptSecret, encryptSecret } from "./secrets";

const key = randomBytes(32);

describe("encryptSecret / decryptSecret", () => {
  it("round-trips a secret and never contains the plain text", () => {
    const plain = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc ✓\n";
    const encrypted = encryptSecret(plain, key);
    expect(encrypted.startsWith("v1:")).toBe(true);
    expect(encrypted).not.toContain("PRIVATE");
    expect(decryptSecret(encrypted, key)).toBe(plain);
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("rejects a tampered ciphertext", () => {
    const [v, iv, tag, data] = encryptSecret("ghp_token_value", key).split(":") as [string, string, string, string];
    const bytes = Buffer.from(data, "base64url");
    bytes[0] = bytes[0]! ^ 1;
    const tampered = [v, iv, tag, bytes.toString("base64url")].join(":");
    expect(() => decryptSecret(tampered, key)).toThrow(SecretDecryptError);
  });

  it("rejects a wrong key, an unknown version and garbage", () => {
    const encrypted = encryptSecret("x", key);
    expect(() => decryptSecret(encrypted, randomBytes(32))).toThrow(/authentication failed/);
    expect(() => decryptSecret(encrypted.replace(/^v1:/, "v9:"), key)).toThrow(/unknown format version/);
    expect(() => decryptSecret("plain text", key)).toThrow(/malformed/);
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => encryptSecret("x", randomBytes(16))).toThrow(/32 bytes/);
  });
});
