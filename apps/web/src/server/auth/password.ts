import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

// Stored format: "scrypt$<N>$<r>$<p>$<salt base64url>$<key base64url>". The parameters travel with
// each hash so they can be raised later without invalidating existing passwords.
const PREFIX = "scrypt";
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's recommended minimum for scrypt (128 MiB, ~0.3 s on the reference machine). */
export const defaultScryptParams: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

function deriveKey(options: { password: string; salt: Buffer; params: ScryptParams; keyBytes: number }): Promise<Buffer> {
  const { N, r, p } = options.params;
  // Node refuses to use more than 32 MiB unless told; scrypt needs 128 * N * r bytes (+ slack).
  const scryptOptions: ScryptOptions = { N, r, p, maxmem: 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(options.password.normalize("NFKC"), options.salt, options.keyBytes, scryptOptions, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(options: { password: string; params?: ScryptParams }): Promise<string> {
  const params = options.params ?? defaultScryptParams;
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey({ password: options.password, salt, params, keyBytes: KEY_BYTES });
  return [PREFIX, params.N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

function parseHash(hash: string): ParsedHash | null {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a corrupted or hostile row from making one verification allocate gigabytes.
  if (!isPowerOfTwo(params.N) || params.N > 2 ** 20) return null;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > 32) return null;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > 16) return null;
  const saltBytes = Buffer.from(salt, "base64url");
  const keyBytes = Buffer.from(key, "base64url");
  if (saltBytes.length < 8 || keyBytes.length < 16) return null;
  return { params, salt: saltBytes, key: keyBytes };
}

/** True when `password` matches `hash`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(options: { password: string; hash: string }): Promise<boolean> {
  const parsed = parseHash(options.hash);
  if (!parsed) return false;
  const key = await deriveKey({ password: options.password, salt: parsed.salt, params: parsed.params, keyBytes: parsed.key.length });
  return timingSafeEqual(key, parsed.key);
}

/**
 * A hash of a random password, verified against when the login does not exist so that an unknown
 * login costs the same time as a wrong password (no user enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword({ password: randomBytes(16).toString("hex") });
  return dummyHash;
}

/** A random password for the generated admin account: 24 URL-safe characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
