import { ConfigError } from "./config-error";
import { defaultBackupRoot } from "./state-paths";
import {
  backupVariables,
  baseVariables,
  parseVariables,
  webVariables,
  workerVariables,
  type LogLevel,
  type ParsedVariables,
  type VariableProblem,
} from "./variables";

type Env = Readonly<Record<string, string | undefined>>;

export interface BaseConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** State folder (absolute): logs, checkouts, backups. */
  readonly home: string;
  /** 32-byte key for encryptSecret/decryptSecret. */
  readonly encryptionKey: Buffer;
  readonly web: { readonly host: string; readonly port: number; readonly publicUrl: string };
  readonly proxyPort: number;
  /** HTTPS at the proxy: `acme` (on-demand certificates, HTTP redirects to HTTPS) or `off`; its port. */
  readonly tls: { readonly mode: "off" | "acme"; readonly port: number };
  /** Port of the worker's terminal gateway (browsers open ws://<web host>:<port>/terminal). */
  readonly terminalPort: number;
  /** SSH to builds: the worker's server listens on listenHost:port; `publicHost` is the host users type. */
  readonly ssh: { readonly listenHost: string; readonly port: number; readonly publicHost: string };
  readonly baseDomain: string;
  readonly logLevel: LogLevel;
  /** Seconds between two polls of each project's repository; 0: polling is off. */
  readonly pollIntervalSeconds: number;
  /** GitHub endpoints every process talks to (packages/github createGitHubClient's baseUrl is apiUrl). */
  readonly github: { readonly oauthUrl: string; readonly apiUrl: string };
}

export interface BackupConfig {
  /** Root of the local backup store (shared by the worker and the web on one machine). */
  readonly root: string;
  /** Hour of the daily production backup, in `timeZone`. */
  readonly hour: number;
  /** Time zone of the schedule and of retention's calendar days (IANA). */
  readonly timeZone: string;
  /** Largest accepted database import (bytes of the uploaded file). */
  readonly importMaxBytes: number;
}

function toBackups(v: ParsedVariables<typeof backupVariables>, home: string): BackupConfig {
  return {
    root: v.SLIPWAY_BACKUP_DIR ?? defaultBackupRoot(home),
    hour: v.SLIPWAY_BACKUP_HOUR,
    timeZone: v.SLIPWAY_BACKUP_TIME_ZONE,
    importMaxBytes: v.SLIPWAY_IMPORT_MAX_BYTES,
  };
}

export interface WebConfig extends BaseConfig {
  /** The backup store the web streams downloads from and writes import uploads into. */
  readonly backups: BackupConfig;
  readonly sessionSecret: string;
  readonly admin: { readonly login: string; readonly password?: string };
  /** Image template with a `{version}` placeholder (odooImageFor), proposed for new projects. */
  readonly defaultOdooImage: string;
  /** GitHub login (OAuth web flow); `oauth` is undefined unless client id and secret are both set. */
  readonly github: {
    readonly oauth?: { readonly clientId: string; readonly clientSecret: string };
    readonly oauthUrl: string;
    readonly apiUrl: string;
    /** Members of these organisations may sign in (besides collaborators of a project). */
    readonly organisations: readonly string[];
  };
  /** Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR blocks (none by default). */
  readonly trustedProxies: readonly string[];
  /** Concurrent live-update streams (SSE) per client address. */
  readonly eventStreamsPerAddress: number;
  /** Who may create projects and from what (issue 11: who may create what). */
  readonly projects: {
    /** Logins allowed to create projects besides platform superusers. */
    readonly creators: readonly string[];
    /** Local-path repositories must live under this folder; undefined: local repositories are refused. */
    readonly localReposRoot?: string;
    /** Glob patterns of the Odoo images a project may use. */
    readonly odooImages: readonly string[];
  };
}

export interface WorkerConfig extends BaseConfig {
  readonly docker: { readonly socketPath: string };
  readonly caddy: { readonly adminUrl: string };
  /**
   * Certificates (used when tls.mode is `acme`): the CA's ACME directory, the contact e-mail, a PEM
   * file trusted for the CA's own HTTPS, and the endpoint Caddy asks before obtaining one.
   */
  readonly acme: { readonly ca: string; readonly email?: string; readonly caRoot?: string; readonly askUrl: string };
  /** Custom-domain checks: the DNS servers asked (empty: the system's) and seconds between two rounds (0: off). */
  readonly domains: { readonly dnsServers: readonly string[]; readonly checkIntervalSeconds: number };
  readonly odooPgImage: string;
  /** Staging copies by standby snapshots (ADR 0009). */
  readonly stagingClones: { readonly mode: "off" | "auto"; readonly storageDir?: string; readonly loopSizeGb: number };
  /** Image template with a `{version}` placeholder; see odooImageFor. */
  readonly defaultOdooImage: string;
  readonly backups: BackupConfig;
  /** The SMTP catcher of non-production builds' mail (listens on the builds network's gateway). */
  readonly mailCatcher: { readonly port: number };
  /** Local-path repositories (and local submodules) must live under this folder; undefined: refused. */
  readonly localReposRoot?: string;
  /** Git over SSH for private GitHub repositories: the pinned host keys (a file; unset: GitHub's) and where SSH is reached. */
  readonly githubSsh: {
    readonly knownHostsFile?: string;
    readonly endpoint?: { readonly host: string; readonly port: number; readonly user?: string };
  };
  /** Garbage collection of non-production databases (docs/product/builds-and-tests.md lifetimes). */
  readonly gc: { readonly developmentIdleDays: number; readonly stagingMaxAgeDays: number; readonly deletedProjectGraceDays: number };
  /** Web shells of anonymous visitors (public projects): concurrent sessions per client address and per build. */
  readonly terminal: { readonly anonymousPerAddress: number; readonly anonymousPerBuild: number };
}

function toBase(v: ParsedVariables<typeof baseVariables>): BaseConfig {
  return {
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    home: v.SLIPWAY_HOME,
    encryptionKey: v.SLIPWAY_ENCRYPTION_KEY,
    web: { host: v.SLIPWAY_WEB_HOST, port: v.SLIPWAY_WEB_PORT, publicUrl: v.SLIPWAY_PUBLIC_URL },
    proxyPort: v.SLIPWAY_PROXY_PORT,
    tls: { mode: v.SLIPWAY_TLS, port: v.SLIPWAY_PROXY_TLS_PORT },
    terminalPort: v.SLIPWAY_TERMINAL_PORT,
    ssh: {
      listenHost: v.SLIPWAY_SSH_HOST ?? v.SLIPWAY_WEB_HOST,
      port: v.SLIPWAY_SSH_PORT,
      publicHost: v.SLIPWAY_SSH_PUBLIC_HOST ?? new URL(v.SLIPWAY_PUBLIC_URL).hostname,
    },
    baseDomain: v.SLIPWAY_BASE_DOMAIN,
    logLevel: v.SLIPWAY_LOG_LEVEL,
    pollIntervalSeconds: v.SLIPWAY_POLL_INTERVAL_SECONDS,
    github: { oauthUrl: v.SLIPWAY_GITHUB_OAUTH_URL, apiUrl: v.SLIPWAY_GITHUB_API_URL },
  };
}

/** Freezes nested plain objects; Buffers cannot be frozen and are left as they are. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function check(problems: VariableProblem[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Settings every process shares. Throws ConfigError listing every problem. */
export function loadBaseConfig(env: Env = process.env): BaseConfig {
  const base = parseVariables(env, baseVariables);
  check(base.problems);
  return deepFreeze(toBase(base.values));
}

/** Settings of the web process. Throws ConfigError listing every problem. */
export function loadWebConfig(env: Env = process.env): WebConfig {
  const base = parseVariables(env, baseVariables);
  const web = parseVariables(env, webVariables);
  const backups = parseVariables(env, backupVariables);
  check([...base.problems, ...web.problems, ...backups.problems]);
  const password = web.values.SLIPWAY_ADMIN_PASSWORD;
  return deepFreeze({
    ...toBase(base.values),
    sessionSecret: web.values.SLIPWAY_SESSION_SECRET,
    backups: toBackups(backups.values, base.values.SLIPWAY_HOME),
    defaultOdooImage: web.values.SLIPWAY_DEFAULT_ODOO_IMAGE,
    trustedProxies: web.values.SLIPWAY_TRUSTED_PROXIES ?? [],
    eventStreamsPerAddress: web.values.SLIPWAY_EVENT_STREAMS_PER_ADDRESS,
    github: {
      ...(web.values.SLIPWAY_GITHUB_CLIENT_ID && web.values.SLIPWAY_GITHUB_CLIENT_SECRET
        ? { oauth: { clientId: web.values.SLIPWAY_GITHUB_CLIENT_ID, clientSecret: web.values.SLIPWAY_GITHUB_CLIENT_SECRET } }
        : {}),
      oauthUrl: base.values.SLIPWAY_GITHUB_OAUTH_URL,
      apiUrl: base.values.SLIPWAY_GITHUB_API_URL,
      organisations: web.values.SLIPWAY_GITHUB_ORGS ?? [],
    },
    projects: {
      creators: web.values.SLIPWAY_PROJECT_CREATORS ?? [],
      ...(web.values.SLIPWAY_LOCAL_REPOS_ROOT ? { localReposRoot: web.values.SLIPWAY_LOCAL_REPOS_ROOT } : {}),
      odooImages: web.values.SLIPWAY_ODOO_IMAGES,
    },
    admin: password === undefined ? { login: web.values.SLIPWAY_ADMIN_LOGIN } : { login: web.values.SLIPWAY_ADMIN_LOGIN, password },
  });
}

/** Settings of the worker process. Throws ConfigError listing every problem. */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const base = parseVariables(env, baseVariables);
  const worker = parseVariables(env, workerVariables);
  check([...base.problems, ...worker.problems]);
  return deepFreeze({
    ...toBase(base.values),
    docker: { socketPath: worker.values.SLIPWAY_DOCKER_SOCKET },
    caddy: { adminUrl: worker.values.SLIPWAY_CADDY_ADMIN_URL },
    acme: {
      ca: worker.values.SLIPWAY_ACME_CA,
      ...(worker.values.SLIPWAY_ACME_EMAIL ? { email: worker.values.SLIPWAY_ACME_EMAIL } : {}),
      ...(worker.values.SLIPWAY_ACME_CA_ROOT ? { caRoot: worker.values.SLIPWAY_ACME_CA_ROOT } : {}),
      askUrl:
        worker.values.SLIPWAY_TLS_ASK_URL ??
        `http://${loopbackFor(base.values.SLIPWAY_WEB_HOST)}:${base.values.SLIPWAY_WEB_PORT}${TLS_ASK_PATH}`,
    },
    domains: {
      dnsServers: worker.values.SLIPWAY_DNS_SERVERS ?? [],
      checkIntervalSeconds: worker.values.SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS,
    },
    odooPgImage: worker.values.SLIPWAY_ODOO_PG_IMAGE,
    stagingClones: {
      mode: worker.values.SLIPWAY_STAGING_CLONES,
      ...(worker.values.SLIPWAY_CLONE_STORAGE_DIR ? { storageDir: worker.values.SLIPWAY_CLONE_STORAGE_DIR } : {}),
      loopSizeGb: worker.values.SLIPWAY_CLONE_LOOP_SIZE_GB,
    },
    defaultOdooImage: worker.values.SLIPWAY_DEFAULT_ODOO_IMAGE,
    backups: toBackups(worker.values, base.values.SLIPWAY_HOME),
    mailCatcher: { port: worker.values.SLIPWAY_MAIL_CATCHER_PORT },
    ...(worker.values.SLIPWAY_LOCAL_REPOS_ROOT ? { localReposRoot: worker.values.SLIPWAY_LOCAL_REPOS_ROOT } : {}),
    githubSsh: {
      ...(worker.values.SLIPWAY_GITHUB_SSH_KNOWN_HOSTS ? { knownHostsFile: worker.values.SLIPWAY_GITHUB_SSH_KNOWN_HOSTS } : {}),
      ...(worker.values.SLIPWAY_GITHUB_SSH_ENDPOINT ? { endpoint: worker.values.SLIPWAY_GITHUB_SSH_ENDPOINT } : {}),
    },
    gc: {
      developmentIdleDays: worker.values.SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS,
      stagingMaxAgeDays: worker.values.SLIPWAY_GC_STAGING_MAX_AGE_DAYS,
      deletedProjectGraceDays: worker.values.SLIPWAY_GC_DELETED_PROJECT_GRACE_DAYS,
    },
    terminal: {
      anonymousPerAddress: worker.values.SLIPWAY_SHELL_ANONYMOUS_PER_ADDRESS,
      anonymousPerBuild: worker.values.SLIPWAY_SHELL_ANONYMOUS_PER_BUILD,
    },
  });
}

/** The web app's internal route Caddy asks before obtaining a certificate (`?domain=<name>`, 200 = yes). */
export const TLS_ASK_PATH = "/api/internal/tls-ask";

/** An address another local process reaches a listener on: wildcard listeners are reached on loopback. */
export function loopbackFor(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Whether the control panel is served through the proxy (one origin, HTTPS when on): SLIPWAY_PUBLIC_URL
 * does not point at the web app's own port. Then the worker routes its host to the web app (and
 * `/terminal` to the terminal gateway), and browsers open the web shell on the panel's origin.
 */
export function panelBehindProxy(config: Pick<BaseConfig, "web">): boolean {
  const url = new URL(config.web.publicUrl);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return port !== config.web.port;
}

/** The Odoo image for a version, e.g. odooImageFor("odoo:{version}", "17.0") → "odoo:17.0". */
export function odooImageFor(template: string, version: string): string {
  return template.replaceAll("{version}", version);
}
