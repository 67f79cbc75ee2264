import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { DomainError } from "@slipway/domain";

/**
 * Shell tickets open a web terminal (docs/product/build-tools.md). The web app checks the role matrix and signs
 * a short-lived ticket; the terminal gateway in the worker verifies it, consumes its nonce once and
 * checks the role again in the database. Both processes derive the key from
 * SLIPWAY_ENCRYPTION_KEY, so nothing extra is configured or stored.
 * Format: "st1." base64url(JSON claims) "." base64url(HMAC-SHA256 of the first two parts).
 */
export interface ShellTicketClaims {
  /** The user who asked; null for an anonymous visitor of a public project. */
  userId: string | null;
  buildId: string;
  /** Expiry, milliseconds since the epoch. */
  exp: number;
  /** Random, single use: the gateway refuses a nonce it has already seen. */
  nonce: string;
}

export const SHELL_TICKET_TTL_MS = 30_000;
const PREFIX = "st1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** The ticket key, derived from the platform key (a distinct purpose from other derived secrets). */
export function shellTicketKey(platformKey: Buffer): Buffer {
  return createHmac("sha256", platformKey).update("slipway-shell-ticket:v1").digest();
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac("sha256", key).update(body).digest();
}

/** A new ticket for `userId` on `buildId`, valid `ttlMs` from `now`. */
export function issueShellTicket(options: {
  key: Buffer;
  userId: string | null;
  buildId: string;
  now?: number;
  ttlMs?: number;
  nonce?: string;
}): { ticket: string; claims: ShellTicketClaims } {
  if (!UUID.test(options.buildId)) throw new DomainError("invalid_input", "Not a build id.");
  const claims: ShellTicketClaims = {
    userId: options.userId,
    buildId: options.buildId,
    exp: (options.now ?? Date.now()) + (options.ttlMs ?? SHELL_TICKET_TTL_MS),
    nonce: options.nonce ?? randomBytes(16).toString("base64url"),
  };
  const body = `${PREFIX}.${b64(JSON.stringify(claims))}`;
  return { ticket: `${body}.${b64(mac(options.key, body))}`, claims };
}

function parseClaims(text: string): ShellTicketClaims | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const c = value as Record<string, unknown>;
  const userOk = c.userId === null || (typeof c.userId === "string" && UUID.test(c.userId));
  const buildOk = typeof c.buildId === "string" && UUID.test(c.buildId);
  const expOk = typeof c.exp === "number" && Number.isFinite(c.exp);
  const nonceOk = typeof c.nonce === "string" && /^[A-Za-z0-9_-]{16,64}$/.test(c.nonce);
  if (!userOk || !buildOk || !expOk || !nonceOk) return null;
  return { userId: c.userId as string | null, buildId: c.buildId as string, exp: c.exp as number, nonce: c.nonce as string };
}

/**
 * Checks the signature and the expiry; returns the claims or throws DomainError("forbidden").
 * Single use (the nonce) is the caller's job: it needs shared state (Redis).
 */
export function verifyShellTicket(options: { key: Buffer; ticket: string; now?: number }): ShellTicketClaims {
  const refuse = (why: string) => new DomainError("forbidden", `Shell ticket refused: ${why}.`);
  const parts = options.ticket.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX || options.ticket.length > 1024) throw refuse("malformed");
  const [prefix, payload, sig] = parts as [string, string, string];
  const expected = mac(options.key, `${prefix}.${payload}`);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse("bad signature");
  const claims = parseClaims(Buffer.from(payload, "base64url").toString("utf8"));
  if (!claims) throw refuse("malformed claims");
  if (claims.exp < (options.now ?? Date.now())) throw refuse("expired");
  return claims;
}
