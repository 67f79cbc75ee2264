import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { defaultSlipwayHome } from "./paths";

/**
 * One environment variable: its zod schema (input is the raw string), whether it is required and
 * its default. A blank value counts as unset, as `.env` files often carry `KEY=` lines.
 */
export interface VariableSpec<T> {
  schema: z.ZodType<T, string>;
  required: boolean;
  fallback?: () => string;
}

function required<T>(schema: z.ZodType<T, string>): VariableSpec<T> {
  return { schema, required: true };
}
function withDefault<T>(schema: z.ZodType<T, string>, value: string | (() => string)): VariableSpec<T> {
  return { schema, required: true, fallback: typeof value === "string" ? () => value : value };
}
function optional<T>(schema: z.ZodType<T, string>): VariableSpec<T | undefined> {
  return { schema, required: false } as VariableSpec<T | undefined>;
}

function url(protocols: readonly string[]) {
  const expected = protocols.map((p) => `${p}//`).join(" or ");
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `invalid URL (expected ${expected}…)` },
  );
}

const port = z
  .string()
  .regex(/^\d+$/, { error: "not a port number (expected an integer 1-65535)" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65535, { error: "port out of range (expected 1-65535)" });

const hostname = z.string().regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:]+\]?$/, { error: "invalid host name or address" });

const domain = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
  error: "invalid domain (expected lower-case labels such as slipway.example.com)",
});

const dockerImage = z.string().regex(/^[a-z0-9][A-Za-z0-9._\-/:{}]*(@sha256:[a-f0-9]{64})?$/, { error: "invalid Docker image reference" });

const encryptionKey = z.string().transform((value, ctx) => {
  const hint = "generate one with: openssl rand -base64 32";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    ctx.addIssue({ code: "custom", message: `not valid base64 (${hint})` });
    return z.NEVER;
  }
  const key = Buffer.from(value, "base64");
  if (key.length !== 32) {
    ctx.addIssue({ code: "custom", message: `must decode to 32 bytes, got ${key.length} (${hint})` });
    return z.NEVER;
  }
  return key;
});

const days = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { error: "not a number of days" })
  .transform(Number)
  .refine((n) => n > 0, { error: "must be more than 0 days" });

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Variables every process reads. */
export const baseVariables = {
  DATABASE_URL: required(url(["postgres:", "postgresql:"])),
  REDIS_URL: required(url(["redis:", "rediss:"])),
  SLIPWAY_HOME: withDefault(
    z.string().transform((p) => resolve(p)),
    defaultSlipwayHome,
  ),
  SLIPWAY_ENCRYPTION_KEY: required(encryptionKey),
  SLIPWAY_WEB_HOST: withDefault(hostname, "127.0.0.1"),
  SLIPWAY_WEB_PORT: withDefault(port, "3000"),
  SLIPWAY_PUBLIC_URL: withDefault(
    url(["http:", "https:"]).transform((u) => u.replace(/\/+$/, "")),
    "http://127.0.0.1:3000",
  ),
  SLIPWAY_PROXY_PORT: withDefault(port, "8480"),
  /**
   * HTTPS at the proxy: `off`, or `acme` (certificates obtained on demand from SLIPWAY_ACME_CA,
   * only for names the platform's ask endpoint answers yes to; HTTP redirects to HTTPS).
   */
  SLIPWAY_TLS: withDefault(z.enum(["off", "acme"], { error: "invalid TLS mode (expected off or acme)" }), "off"),
  /** Port Caddy serves HTTPS on (same address as its HTTP listener) when SLIPWAY_TLS is on. */
  SLIPWAY_PROXY_TLS_PORT: withDefault(port, "8443"),
  /** Terminal gateway (web shell websockets): the worker listens on SLIPWAY_WEB_HOST at this port. */
  SLIPWAY_TERMINAL_PORT: withDefault(port, "3001"),
  /** SSH to builds (`ssh <build id>@<host> -p <port>`): the worker listens on this port. */
  SLIPWAY_SSH_PORT: withDefault(port, "2222"),
  /** Address the SSH server listens on (default: SLIPWAY_WEB_HOST). */
  SLIPWAY_SSH_HOST: optional(hostname),
  /** Host name shown in the SSH command (default: the host of SLIPWAY_PUBLIC_URL). */
  SLIPWAY_SSH_PUBLIC_HOST: optional(hostname),
  /** Where GitHub's OAuth and settings pages live (a test server in tests, GitHub Enterprise's host). */
  SLIPWAY_GITHUB_OAUTH_URL: withDefault(
    url(["http:", "https:"]).transform((u) => u.replace(/\/+$/, "")),
    "https://github.com",
  ),
  /** GitHub's REST API (GitHub Enterprise: https://<host>/api/v3; the GitHub double in tests): every Octokit client. */
  SLIPWAY_GITHUB_API_URL: withDefault(
    url(["http:", "https:"]).transform((u) => u.replace(/\/+$/, "")),
    "https://api.github.com",
  ),
  SLIPWAY_BASE_DOMAIN: withDefault(domain, "slipway.localhost"),
  SLIPWAY_LOG_LEVEL: withDefault(z.enum(logLevels, { error: `invalid log level (expected one of ${logLevels.join(", ")})` }), "info"),
  /**
   * Seconds between two polls of every project's repository (the fallback for pushes without a
   * webhook): the worker polls, the web shows the interval. 0 turns polling off.
   */
  SLIPWAY_POLL_INTERVAL_SECONDS: withDefault(
    z
      .string()
      .regex(/^\d+$/, { error: "not a number of seconds (0 turns polling off)" })
      .transform(Number)
      .refine((n) => n === 0 || (n >= 10 && n <= 86_400), { error: "out of range (expected 0, or 10 to 86400 seconds)" }),
    "180",
  ),
};

// The web fills the project form's image with it; the worker falls back to it.
const defaultOdooImage = withDefault(
  dockerImage.refine((s) => s.includes("{version}"), {
    error: "must contain the {version} placeholder (e.g. odoo:{version})",
  }),
  "odoo:{version}",
);

/** A comma- or space-separated list; blank entries dropped. */
function list(item: RegExp, what: string) {
  return z
    .string()
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .refine((items) => items.every((i) => item.test(i)), { error: `invalid ${what} (comma-separated list)` });
}

const loginList = list(/^[A-Za-z0-9._@-]{1,64}$/, "login");
const githubOrgList = list(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "GitHub organisation");
// Image reference patterns: the image characters plus the glob wildcards * and ?.
const imagePatternList = list(/^[A-Za-z0-9._\-/:@*?]+$/, "image pattern");

const absolutePath = z
  .string()
  .refine((p) => p.startsWith("/"), { error: "must be an absolute path" })
  .transform((p) => resolve(p));

const count = z
  .string()
  .regex(/^\d+$/, { error: "not a whole number" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 10_000, { error: "out of range (expected 1-10000)" });

/** One IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `::1`, `fd00::/8`). */
function isAddressOrBlock(item: string): boolean {
  const [address, prefix, ...rest] = item.split("/");
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A DNS server as node:dns takes it: an IP address, `[v6]:port` or `v4:port`. */
function isDnsServer(item: string): boolean {
  if (isIP(item) !== 0) return true;
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(item) ?? /^([0-9.]+):(\d{1,5})$/.exec(item);
  return m !== null && isIP(m[1]!) !== 0 && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

const addressList = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter(Boolean))
  .refine((items) => items.every(isAddressOrBlock), { error: "invalid address list (comma-separated IP addresses or CIDR blocks)" });

/** Variables only the web process reads. */
export const webVariables = {
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks). Unset: none; the
   * client address is the connection's, whatever a request claims (login throttling, SSE caps).
   */
  SLIPWAY_TRUSTED_PROXIES: optional(addressList),
  /** Live-update streams (Server-Sent Events) one client address may hold open at once. */
  SLIPWAY_EVENT_STREAMS_PER_ADDRESS: withDefault(count, "16"),
  SLIPWAY_SESSION_SECRET: required(z.string().refine((s) => s.length >= 32, { error: "too short (at least 32 characters)" })),
  SLIPWAY_ADMIN_LOGIN: withDefault(
    z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, { error: "invalid login (letters, digits, . _ @ -; up to 64)" }),
    "admin",
  ),
  SLIPWAY_DEFAULT_ODOO_IMAGE: defaultOdooImage,
  SLIPWAY_ADMIN_PASSWORD: optional(z.string().refine((s) => s.length >= 8, { error: "too short (at least 8 characters)" })),
  /** GitHub OAuth app; "Sign in with GitHub" shows only when both are set. */
  SLIPWAY_GITHUB_CLIENT_ID: optional(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "invalid client id" })),
  SLIPWAY_GITHUB_CLIENT_SECRET: optional(z.string().min(1)),
  /** GitHub organisations whose members may sign in with GitHub (besides collaborators of a project). */
  SLIPWAY_GITHUB_ORGS: optional(githubOrgList),
  /** Logins (besides platform superusers) allowed to create projects. */
  SLIPWAY_PROJECT_CREATORS: optional(loginList),
  /** The only folder local-path repositories may live under (unset: local repositories are refused). */
  SLIPWAY_LOCAL_REPOS_ROOT: optional(absolutePath),
  /** Odoo images a project may use: glob patterns (`*` any characters, `?` one). */
  SLIPWAY_ODOO_IMAGES: withDefault(imagePatternList, "odoo:*,slipway/odoo-standin:*"),
};

/** Backup settings: the worker runs backups, the web streams downloads and receives imports from the same store. */
export const backupVariables = {
  /** Backup store root (local directory); default `<SLIPWAY_HOME>/backups`. */
  SLIPWAY_BACKUP_DIR: optional(z.string().transform((p) => resolve(p))),
  /** Hour (0-23, in SLIPWAY_BACKUP_TIME_ZONE) of the daily production backups. */
  SLIPWAY_BACKUP_HOUR: withDefault(
    z
      .string()
      .regex(/^\d{1,2}$/, { error: "not an hour (expected 0-23)" })
      .transform(Number)
      .refine((n) => n <= 23, { error: "hour out of range (expected 0-23)" }),
    "2",
  ),
  /** IANA time zone of the daily schedule and of the retention's calendar days. */
  SLIPWAY_BACKUP_TIME_ZONE: withDefault(
    z.string().refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: "unknown time zone (expected an IANA name such as Europe/Paris)" },
    ),
    "UTC",
  ),
  /** Largest accepted database import (bytes of the uploaded file). */
  SLIPWAY_IMPORT_MAX_BYTES: withDefault(z.string().regex(/^\d+$/, { error: "not a byte count" }).transform(Number), String(20 * 1024 ** 3)),
};

/** Variables only the worker process reads. */
export const workerVariables = {
  SLIPWAY_DOCKER_SOCKET: withDefault(
    z.string().refine((p) => p.startsWith("/"), { error: "must be an absolute path" }),
    "/var/run/docker.sock",
  ),
  SLIPWAY_CADDY_ADMIN_URL: withDefault(
    url(["http:", "https:"]).transform((u) => u.replace(/\/+$/, "")),
    "http://127.0.0.1:20190",
  ),
  /** ACME directory of the certificate authority (SLIPWAY_TLS=acme); default Let's Encrypt's. */
  SLIPWAY_ACME_CA: withDefault(url(["https:", "http:"]), "https://acme-v02.api.letsencrypt.org/directory"),
  /** Contact e-mail given to the certificate authority (expiry notices). */
  SLIPWAY_ACME_EMAIL: optional(z.email({ error: "invalid e-mail address" })),
  /** PEM file of roots trusted for the ACME server's own HTTPS (a private CA such as pebble in tests). */
  SLIPWAY_ACME_CA_ROOT: optional(absolutePath),
  /**
   * The endpoint Caddy asks (`?domain=<name>`, 200 = yes) before obtaining a certificate; default
   * the web app's internal route on loopback.
   */
  SLIPWAY_TLS_ASK_URL: optional(url(["http:", "https:"])),
  SLIPWAY_ODOO_PG_IMAGE: withDefault(dockerImage, "slipway/postgres:15"),
  /**
   * Staging copies (ADR 0009): "auto" snapshots a streaming standby of the managed server on
   * copy-on-write storage (constant time) and falls back to pg_dump | pg_restore when there is none
   * or the standby lags; "off" always dumps (ADR 0002).
   */
  SLIPWAY_STAGING_CLONES: withDefault(z.enum(["off", "auto"], { error: "invalid staging clone mode (expected off or auto)" }), "off"),
  /** A btrfs directory for the standby and the staging clusters; unset: a btrfs image file loop-mounted under SLIPWAY_HOME. */
  SLIPWAY_CLONE_STORAGE_DIR: optional(absolutePath),
  /** Size of that image file (sparse) when SLIPWAY_CLONE_STORAGE_DIR is unset. */
  SLIPWAY_CLONE_LOOP_SIZE_GB: withDefault(
    z
      .string()
      .regex(/^[1-9]\d*$/, { error: "not a size in GB" })
      .transform(Number),
    "64",
  ),
  SLIPWAY_DEFAULT_ODOO_IMAGE: defaultOdooImage,
  ...backupVariables,
  /** SMTP port of the mail catcher (non-production builds' outgoing mail), on the builds network's gateway. */
  SLIPWAY_MAIL_CATCHER_PORT: withDefault(port, "2525"),
  // The worker checks every fetch (the project's URL and its submodules') against the same rules as the web.
  SLIPWAY_LOCAL_REPOS_ROOT: optional(absolutePath),
  /**
   * known_hosts file pinning the SSH host keys that private GitHub repositories are fetched from
   * (unset: GitHub's published keys, built in). For GitHub Enterprise or a test server.
   */
  SLIPWAY_GITHUB_SSH_KNOWN_HOSTS: optional(absolutePath),
  /** Where github.com's Git over SSH is reached: `[user@]host[:port]` (unset: git@github.com:22). */
  SLIPWAY_GITHUB_SSH_ENDPOINT: optional(
    z
      .string()
      .regex(/^(?:([a-z_][a-z0-9_-]{0,31})@)?([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/i, {
        error: "invalid SSH endpoint (expected [user@]host[:port])",
      })
      .transform((value) => {
        const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value)!;
        return { host: m[2]!.replace(/^\[|\]$/g, ""), port: m[3] ? Number(m[3]) : 22, ...(m[1] ? { user: m[1] } : {}) };
      }),
  ),
  /** Garbage collection: development databases unused for this many days are removed. */
  SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS: withDefault(days, "3"),
  /** Garbage collection: staging databases older than this many days are removed. */
  SLIPWAY_GC_STAGING_MAX_AGE_DAYS: withDefault(days, "90"),
  /** A deleted project's backups are kept this many days (grace period), then removed with its last rows. */
  SLIPWAY_GC_DELETED_PROJECT_GRACE_DAYS: withDefault(days, "7"),
  /** Web shells opened by visitors of public projects: at most this many at once per client address… */
  SLIPWAY_SHELL_ANONYMOUS_PER_ADDRESS: withDefault(count, "2"),
  /** …and at most this many at once per build. */
  SLIPWAY_SHELL_ANONYMOUS_PER_BUILD: withDefault(count, "5"),
  /**
   * DNS servers the custom-domain checks ask (`address` or `address:port`, comma-separated);
   * unset: the system's resolvers (/etc/resolv.conf).
   */
  SLIPWAY_DNS_SERVERS: optional(
    z
      .string()
      .transform((value) => value.split(/[\s,]+/).filter(Boolean))
      .refine((items) => items.every(isDnsServer), { error: "invalid DNS server list (address or address:port, comma-separated)" }),
  ),
  /** Seconds between two CNAME checks of every custom domain; 0 turns the periodic check off (added domains are still checked). */
  SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS: withDefault(
    z
      .string()
      .regex(/^\d+$/, { error: "not a number of seconds (0 turns the periodic check off)" })
      .transform(Number)
      .refine((n) => n === 0 || (n >= 10 && n <= 86_400), { error: "out of range (expected 0, or 10 to 86400 seconds)" }),
    "600",
  ),
};

type Specs = Record<string, VariableSpec<unknown>>;
export type ParsedVariables<S extends Specs> = { [K in keyof S]: S[K] extends VariableSpec<infer T> ? T : never };
export interface VariableProblem {
  variable: string;
  problem: string;
}

/** Parses every variable independently so that one run reports every problem at once. */
export function parseVariables<S extends Specs>(
  env: Readonly<Record<string, string | undefined>>,
  specs: S,
): { values: ParsedVariables<S>; problems: VariableProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: VariableProblem[] = [];
  for (const [variable, spec] of Object.entries(specs)) {
    const raw = env[variable];
    const input = raw === undefined || raw.trim() === "" ? spec.fallback?.() : raw.trim();
    if (input === undefined) {
      if (spec.required) problems.push({ variable, problem: "missing (required)" });
      values[variable] = undefined;
      continue;
    }
    const result = spec.schema.safeParse(input);
    if (result.success) values[variable] = result.data;
    else problems.push({ variable, problem: result.error.issues.map((i) => i.message).join("; ") });
  }
  return { values: values as ParsedVariables<S>, problems };
}
