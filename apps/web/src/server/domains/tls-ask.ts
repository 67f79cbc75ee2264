import { isIP } from "node:net";
import { hostnameMayHaveCertificate, type Db } from "@slipway/db";
import { z } from "zod";
import { PEER_ADDRESS_HEADER } from "../auth/session-cookie";

/** The web app's answer to Caddy's on-demand TLS question "may I obtain a certificate for this name?". */
export type TlsAskAnswer = { status: 200 | 400 | 403 | 404; body: string };

const domainParam = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/)
  .transform((d) => d.toLowerCase().replace(/\.$/, ""));

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, "");
  if (isIP(a) === 4) return a.startsWith("127.");
  return a === "::1";
}

/**
 * GET /api/internal/tls-ask?domain=<name> (issue 16), asked by Caddy before it obtains a
 * certificate on demand: 200 only for the panel's own host, a build's hostname or a live project's
 * production name, or a verified custom domain; 404 for everything else (unknown names, domains
 * still pending DNS), so the proxy cannot be made to ask the CA for arbitrary names. Only callers
 * on loopback that came straight to the web app (no X-Forwarded-For address off loopback, no
 * Forwarded header: not a request relayed by the proxy from outside) are answered; others get 403.
 */
export async function answerTlsAsk(
  deps: { prisma: Db; publicUrl: string },
  request: { headers: { get(name: string): string | null }; url: string },
): Promise<TlsAskAnswer> {
  const h = request.headers;
  // Next.js fills X-Forwarded-For with the socket's address when the client sent none: only a
  // chain of loopback addresses is a direct local caller.
  const forwarded = (h.get("x-forwarded-for") ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  if (!isLoopbackAddress(h.get(PEER_ADDRESS_HEADER)) || !forwarded.every(isLoopbackAddress) || h.get("forwarded") !== null) {
    return { status: 403, body: "Only the local proxy may ask.\n" };
  }
  const parsed = domainParam.safeParse(new URL(request.url).searchParams.get("domain") ?? "");
  if (!parsed.success) return { status: 400, body: "A domain name is expected (?domain=).\n" };
  const domain = parsed.data;
  if (domain === new URL(deps.publicUrl).hostname.toLowerCase()) return { status: 200, body: "ok\n" };
  if (await hostnameMayHaveCertificate(deps.prisma, domain)) return { status: 200, body: "ok\n" };
  return { status: 404, body: "No build or verified domain answers at this name.\n" };
}
