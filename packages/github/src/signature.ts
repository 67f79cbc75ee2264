import { createHmac, timingSafeEqual } from "node:crypto";

/** `sha256=<hex>` HMAC of the raw body, as GitHub (and Gitea/Forgejo) send in X-Hub-Signature-256. */
export function signPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Constant-time check of a signature header against the raw request body. */
export function verifySignature({
  secret,
  body,
  signature,
}: {
  secret: string;
  body: string | Buffer;
  signature: string | null | undefined;
}): boolean {
  if (!signature || !/^sha256=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signPayload(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
