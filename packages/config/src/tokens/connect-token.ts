import { createHmac, timingSafeEqual } from "node:crypto";
import { DomainError } from "@slipway/domain";

// Signed with Node's HMAC, so it lives here beside the platform key's other uses (secrets.ts),
// not in the domain, which imports no Node built-in.

/**
 * Connect tokens open a build's Odoo already logged in. The platform signs a short-lived token;
 * the platform addon inside the build checks it with the same per-build secret (passed to the
 * container, never stored in the build's database, so copies of a database carry no secret).
 * Format: base64url(JSON payload) "." base64url(HMAC-SHA256).
 */
export interface ConnectClaims {
  db: string;
  login: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  nonce: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** The per-build secret, derived from the platform's key so nothing extra must be stored. */
export function connectSecretFor(platformKey: Buffer, buildId: string): string {
  return createHmac("sha256", platformKey).update(`slipway-connect:${buildId}`).digest("hex");
}

export function signConnectToken(secret: string, claims: ConnectClaims): string {
  if (!/^[A-Za-z0-9_.@+-]{1,128}$/.test(claims.login))
    throw new DomainError("invalid_input", `"${claims.login}" is not a login Slipway can connect as.`);
  const payload = b64(JSON.stringify(claims));
  return `${payload}.${b64(createHmac("sha256", secret).update(payload).digest())}`;
}

/** Verifies a token (the same check the Odoo addon performs); returns the claims or throws. */
export function verifyConnectToken(secret: string, token: string, { db, now = Date.now() }: { db: string; now?: number }): ConnectClaims {
  const [payload, sig] = token.split(".");
  if (!payload || !sig) throw new DomainError("forbidden", "Malformed connect token.");
  const expected = createHmac("sha256", secret).update(payload).digest();
  const given = Buffer.from(sig, "base64url");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new DomainError("forbidden", "Bad connect token signature.");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as ConnectClaims;
  if (claims.db !== db) throw new DomainError("forbidden", "This connect token is for another database.");
  if (claims.exp * 1000 < now) throw new DomainError("forbidden", "This connect token has expired.");
  return claims;
}
