// Custom domains of a branch (seed odoo18-administration-docs.md, branch Settings → "Custom
// domains", "HTTPS/SSL"): what a user may type, what it must point at, and what a DNS answer means.
import { DomainError } from "../errors";

export const MAX_HOSTNAME_LENGTH = 253;
export const MAX_DOMAIN_LABEL_LENGTH = 63;

/**
 * Public suffixes of more than one label (a small, hand-written part of the Public Suffix List: the
 * second-level registries of common country codes). A name directly under one of them, or directly
 * under any single-label top-level domain, is a registrable ("bare") domain.
 */
export const MULTI_LABEL_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  // United Kingdom
  "co.uk",
  "org.uk",
  "me.uk",
  "ltd.uk",
  "plc.uk",
  "net.uk",
  "sch.uk",
  "ac.uk",
  "gov.uk",
  "nhs.uk",
  // Australia, New Zealand
  "com.au",
  "net.au",
  "org.au",
  "edu.au",
  "gov.au",
  "asn.au",
  "id.au",
  "co.nz",
  "net.nz",
  "org.nz",
  "ac.nz",
  "govt.nz",
  "geek.nz",
  // Asia
  "co.jp",
  "ne.jp",
  "or.jp",
  "ac.jp",
  "go.jp",
  "gr.jp",
  "co.kr",
  "or.kr",
  "ne.kr",
  "re.kr",
  "com.cn",
  "net.cn",
  "org.cn",
  "gov.cn",
  "edu.cn",
  "com.hk",
  "net.hk",
  "org.hk",
  "com.tw",
  "net.tw",
  "org.tw",
  "idv.tw",
  "com.sg",
  "net.sg",
  "org.sg",
  "edu.sg",
  "com.my",
  "net.my",
  "org.my",
  "co.in",
  "net.in",
  "org.in",
  "firm.in",
  "gen.in",
  "ind.in",
  "co.id",
  "or.id",
  "web.id",
  "co.th",
  "in.th",
  "com.ph",
  "com.vn",
  "com.pk",
  "co.il",
  "org.il",
  "net.il",
  "ac.il",
  "com.sa",
  "com.tr",
  "net.tr",
  "org.tr",
  "gen.tr",
  // Americas
  "com.br",
  "net.br",
  "org.br",
  "art.br",
  "com.mx",
  "org.mx",
  "net.mx",
  "gob.mx",
  "com.ar",
  "net.ar",
  "org.ar",
  "com.co",
  "net.co",
  "org.co",
  "com.pe",
  "org.pe",
  "com.ve",
  "com.uy",
  "com.ec",
  "cl.cl",
  // Europe
  "co.at",
  "or.at",
  "gv.at",
  "ac.at",
  "com.pl",
  "net.pl",
  "org.pl",
  "com.es",
  "org.es",
  "nom.es",
  "com.pt",
  "org.pt",
  "com.gr",
  "com.cy",
  "com.ua",
  "org.ua",
  "co.ua",
  "com.ro",
  "org.ro",
  "co.hu",
  "com.mt",
  "co.rs",
  "in.rs",
  "com.hr",
  "co.me",
  "ac.be",
  "co.it",
  "gouv.fr",
  "asso.fr",
  "com.fr",
  // Africa
  "co.za",
  "org.za",
  "net.za",
  "web.za",
  "com.eg",
  "com.ng",
  "org.ng",
  "co.ke",
  "or.ke",
  "co.tz",
  "co.ug",
  "com.gh",
  "co.ma",
]);

/** The seed's reason a registrable domain cannot be used (A records only take addresses). */
export const BARE_DOMAIN_EXPLANATION =
  "Bare domains are not accepted: they can only be configured with A records, which take IP addresses, " +
  "so the domain would stop working whenever the server's address changes. Use a www. name (e.g. www.{bare}) " +
  "with a CNAME record, and redirect {bare} to it with your registrar's web redirection.";

/** The public suffix of an ASCII hostname: a known multi-label suffix, else its last label. */
export function publicSuffixOf(hostname: string): string {
  const labels = hostname.split(".");
  for (let n = Math.min(labels.length, 3); n >= 2; n--) {
    const candidate = labels.slice(-n).join(".");
    if (MULTI_LABEL_PUBLIC_SUFFIXES.has(candidate)) return candidate;
  }
  return labels[labels.length - 1] ?? hostname;
}

/** The registrable domain of a hostname (public suffix + one label), or null when it is a public suffix itself. */
export function registrableDomainOf(hostname: string): string | null {
  const suffix = publicSuffixOf(hostname);
  if (hostname === suffix) return null;
  const rest = hostname.slice(0, hostname.length - suffix.length - 1).split(".");
  return `${rest[rest.length - 1]}.${suffix}`;
}

function invalid(message: string, reason: string): never {
  throw new DomainError("invalid_input", message, { details: { reason } });
}

/**
 * Turns what a user typed into the hostname to store: trimmed, lower-case, without a final dot,
 * international names converted to their ASCII (punycode) form. Refuses, with a message for the
 * user (DomainError invalid_input, details.reason):
 * - anything that is not a plain host name (scheme, path, port, spaces, `*`, IP addresses);
 * - names longer than 253 characters, labels longer than 63 or with a leading/trailing hyphen;
 * - bare (registrable) domains such as `example.com` or `shop.co.uk`, with the seed's explanation;
 * - the platform's own base domain and every name under it (those are the builds' own addresses).
 */
export function normalizeCustomDomain(input: string, options: { baseDomain: string }): string {
  const typed = input.trim();
  if (typed === "") invalid("Enter a domain name, e.g. www.example.com.", "empty");
  if (typed.length > 1000) invalid(`A domain name has at most ${MAX_HOSTNAME_LENGTH} characters.`, "too_long");
  if (/[/:?#@\s\\*]/.test(typed)) {
    invalid("Enter the domain name only (e.g. www.example.com), without http://, a port, a path or wildcards.", "not_a_hostname");
  }
  let host = typed.replace(/\.$/, "").toLowerCase();
  if (/[^\x20-\x7e]/.test(host)) {
    // International name: its ASCII form (IDNA, as browsers and resolvers use it).
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      invalid(`"${typed}" is not a valid international domain name.`, "invalid_idn");
    }
  }
  if (host.length > MAX_HOSTNAME_LENGTH) invalid(`A domain name has at most ${MAX_HOSTNAME_LENGTH} characters.`, "too_long");
  const labels = host.split(".");
  for (const label of labels) {
    if (label === "") invalid(`"${typed}" has an empty part between dots.`, "empty_label");
    if (label.length > MAX_DOMAIN_LABEL_LENGTH) {
      invalid(
        `Each part of a domain name has at most ${MAX_DOMAIN_LABEL_LENGTH} characters ("${label.slice(0, 20)}…" is longer).`,
        "label_too_long",
      );
    }
    if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label)) {
      invalid(`"${label}" is not a valid part of a domain name (letters, digits and inner hyphens only).`, "invalid_label");
    }
  }
  if (labels.length < 2) invalid(`"${host}" is not a full domain name (e.g. www.example.com).`, "single_label");
  if (/^\d+$/.test(labels[labels.length - 1]!))
    invalid("An IP address is not a domain name: enter a name such as www.example.com.", "ip_address");
  const base = options.baseDomain.toLowerCase().replace(/\.$/, "");
  if (host === base || host.endsWith(`.${base}`)) {
    invalid(`Names under ${base} are this platform's own build addresses; add a domain you own instead.`, "platform_domain");
  }
  const registrable = registrableDomainOf(host);
  if (registrable === null) invalid(`"${host}" is a public suffix, not a domain you can own.`, "public_suffix");
  if (registrable === host) invalid(BARE_DOMAIN_EXPLANATION.replaceAll("{bare}", host), "bare_domain");
  return host;
}

/** What a project's custom domains must point at with a CNAME record: `<project>.<base domain>`. */
export function customDomainTarget(options: { projectSlug: string; baseDomain: string }): string {
  return `${options.projectSlug}.${options.baseDomain.toLowerCase().replace(/\.$/, "")}`;
}

/** What one look-up of a domain's CNAME found (the worker's resolver fills it). */
export type CnameLookup =
  | { kind: "cname"; targets: string[] }
  /** The name exists but has no CNAME (ENODATA), or does not exist at all (ENOTFOUND / NXDOMAIN). */
  | { kind: "missing"; code: string }
  /** The resolver failed (timeout, refused, SERVFAIL). */
  | { kind: "failed"; code: string; message: string };

/** How a check ended: the CNAME points at the target, is missing, points elsewhere, or the look-up failed. */
export const cnameResults = ["verified", "missing", "wrong", "failed"] as const;
export type CnameResult = (typeof cnameResults)[number];

export interface CnameVerdict {
  result: CnameResult;
  /** The resolver's answer in words (shown beside the state). */
  answer: string;
  /** What to do about it; null when verified. */
  error: string | null;
}

/** Whether a CNAME look-up proves the domain points at `target`, and the resolver's answer in words. */
export function judgeCname(lookup: CnameLookup, target: string): CnameVerdict {
  const want = target.toLowerCase().replace(/\.$/, "");
  switch (lookup.kind) {
    case "cname": {
      const got = lookup.targets.map((t) => t.toLowerCase().replace(/\.$/, ""));
      const answer = `CNAME ${got.join(", ") || "(empty)"}`;
      if (got.includes(want)) return { result: "verified", answer, error: null };
      return { result: "wrong", answer, error: `The CNAME record points at ${got.join(", ") || "nothing"}, not at ${want}.` };
    }
    case "missing":
      return {
        result: "missing",
        answer: lookup.code === "ENOTFOUND" ? "no such name (NXDOMAIN)" : "no CNAME record",
        error: `No CNAME record yet: add a CNAME record pointing at ${want} at your registrar.`,
      };
    case "failed":
      return {
        result: "failed",
        answer: `resolver error ${lookup.code}`,
        error: `The DNS look-up failed (${lookup.code}): ${lookup.message}`,
      };
  }
}

/**
 * Whether a domain counts as verified after a check: a CNAME to the target verifies it; a missing
 * or wrong record takes the verification back (its routes and certificate requests stop); a
 * failed look-up (timeout, SERVFAIL) changes nothing, the next check decides.
 */
export function verifiedAfterCheck(result: CnameResult, wasVerified: boolean): boolean {
  if (result === "verified") return true;
  if (result === "failed") return wasVerified;
  return false;
}

export const customDomainStates = ["pending", "verified", "certificate", "error"] as const;
export type CustomDomainState = (typeof customDomainStates)[number];

/**
 * The state shown for a domain: `certificate` once a certificate is served for it, `verified`
 * when its CNAME points at the target, `pending` while no check has run or the record is still
 * missing (pending DNS), `error` when the last check found another target or failed.
 */
export function customDomainState(domain: {
  verifiedAt: Date | null;
  lastResult: string | null;
  certificateExpiresAt: Date | null;
}): CustomDomainState {
  if (domain.verifiedAt) return domain.certificateExpiresAt ? "certificate" : "verified";
  if (domain.lastResult === null || domain.lastResult === "missing") return "pending";
  return "error";
}
