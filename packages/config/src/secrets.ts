import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Format: "v1:<iv>:<tag>:<ciphertext>" (base64url parts). The version prefix lets a later key
// rotation or algorithm change read old values.
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretDecryptError extends Error {
  constructor(reason: string) {
    super(`Cannot decrypt secret: ${reason}`);
    this.name = "SecretDecryptError";
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error(`Encryption key must be 32 bytes, got ${key.length}`);
}

/** Encrypts a secret (token, deploy key) for storage with AES-256-GCM. */
export function encryptSecret(plain: string, key: Buffer): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(":");
}

/** Decrypts a value made by encryptSecret; throws SecretDecryptError if it was altered or the key differs. */
export function decryptSecret(encrypted: string, key: Buffer): string {
  checkKey(key);
  const parts = encrypted.split(":");
  if (parts.length !== 4) throw new SecretDecryptError("malformed value");
  const [version, ivText, tagText, dataText] = parts as [string, string, string, string];
  if (version !== VERSION) throw new SecretDecryptError(`unknown format version "${version}"`);
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptError("malformed value");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(dataText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError("authentication failed (tampered value or wrong key)");
  }
}
