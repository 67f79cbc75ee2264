// Shared in-memory state of the GitHub double: every route module reads and writes this one object.
import { createHash, randomBytes } from "node:crypto";

export interface DoubleUser {
  id: number;
  login: string;
  name?: string | null;
  avatar_url?: string;
  /** Organisations the account is an active member of (GET /user/memberships/orgs/<org>). */
  orgs?: string[];
}

/** A repository the double knows; route modules keep their per-repository data in `data`. */
export interface DoubleRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  default_branch: string;
  /** Logins allowed to administer it (personal/OAuth tokens of other users get 404, as on GitHub). */
  admins: string[];
  /** Free space for route modules (keys, hooks, statuses, merges…), keyed by module. */
  data: Record<string, unknown>;
}

/** A GitHub App created through the manifest flow (POST /app-manifests/{code}/conversions). */
export interface DoubleApp {
  id: number;
  slug: string;
  name: string;
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  /** PEM (PKCS#1) private key handed out once; its public half verifies the app's JWTs. */
  pem: string;
  publicKeyPem: string;
  manifest: Record<string, unknown>;
  owner: string;
}

export interface DoubleInstallation {
  id: number;
  appId: number;
  account: string;
  /** Repositories (owner/name, lower case) the installation may use; "all" for every repository of `account`. */
  repositories: "all" | string[];
}

export interface RequestRecord {
  method: string;
  path: string;
  /** Query string without the leading "?" ("" when none). */
  query: string;
  /** Authorization header's scheme and a fingerprint (never the secret itself): "token:ab12cd", "bearer-jwt:app 3". */
  auth: string | null;
  body: unknown;
  status?: number;
}

export interface DoubleState {
  users: Map<string, DoubleUser>;
  /** OAuth codes (web flow) → login and redirect URI. */
  oauthCodes: Map<string, { login: string; redirectUri: string }>;
  /** Access tokens (OAuth user tokens, personal tokens, installation tokens) → who they are. */
  tokens: Map<string, { login?: string; installationId?: number; expiresAt?: number }>;
  /** Repositories by "owner/name" in lower case. */
  repos: Map<string, DoubleRepo>;
  apps: Map<number, DoubleApp>;
  /** Manifest-flow codes → the manifest GitHub received (redeemed once). */
  manifestCodes: Map<string, { manifest: Record<string, unknown>; owner: string }>;
  installations: Map<number, DoubleInstallation>;
  /** Everything received, oldest first. */
  log: RequestRecord[];
  /** The GitHub account signed in in the "browser" (OAuth authorize, app creation). */
  signedIn?: string;
  /** The next N API requests answer 403 rate-limited (primary limit) — see rateLimitNext. */
  rateLimited: { remaining: number; kind: "primary" | "secondary"; resetSeconds: number };
  nextId: () => number;
}

export function createState(): DoubleState {
  let id = 1000;
  return {
    users: new Map(),
    oauthCodes: new Map(),
    tokens: new Map(),
    repos: new Map(),
    apps: new Map(),
    manifestCodes: new Map(),
    installations: new Map(),
    log: [],
    rateLimited: { remaining: 0, kind: "primary", resetSeconds: 1 },
    nextId: () => ++id,
  };
}

export const repoKey = (owner: string, name: string): string => `${owner}/${name}`.toLowerCase();

export function newToken(prefix: "gho" | "ghs" | "ghp" | "github_pat"): string {
  return `${prefix}_${randomBytes(18).toString("hex")}`;
}

/** A short fingerprint of a secret for the request log (never the secret). */
export function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 8);
}
