import type { DockerEngine, Mount, ResourceLimits } from "@slipway/docker";
import { CONTAINER_PATHS, addonsPath } from "./odoo-args";
import { ODOO_RC_PATH, ensureOdooConfig, odooConfigHostPath } from "./odoo-config";

/** Every Odoo run is this user (the official image's `odoo`, uid 101), never root. */
export const ODOO_USER = "odoo";

/** Database connection as seen from inside the Odoo containers (official image env contract). */
export interface OdooDbConnection {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Everything a run on one database needs; the driver knows nothing about which image it runs. */
export interface OdooContext {
  docker: DockerEngine;
  /** The project's Odoo image (or its derived requirements image). */
  image: string;
  database: string;
  db: OdooDbConnection;
  /** The project's network (internal: no egress), where the PostgreSQL server is reachable. */
  network: string;
  /** Host folder of the checkout (mounted read-only) and its addons folders, relative to it. */
  checkout?: { hostPath: string; addonsFolders: readonly string[] };
  /** Host folder holding the platform addons (e.g. the connect addon). */
  platformAddonsHostPath?: string;
  /** Named volume for /var/lib/odoo (filestore, sessions), one per database, shared by every run. */
  dataVolume: string;
  /** The build's log folder: install.log, update.log, … are written there. */
  logDir: string;
  /** `org.slipway.*` labels (project, branch, build …); `role` is set by the driver. */
  labels: Record<string, string>;
  limits?: RunLimits;
  /** Extra environment of every run (e.g. the connect secret read by the platform addon). */
  env?: Record<string, string>;
}

export interface RunLimits extends ResourceLimits {
  /** Wall time of a `--stop-after-init` run. */
  timeoutMs?: number;
}

export const DEFAULT_LIMITS = {
  cpus: 2,
  memoryBytes: 2 * 1024 ** 3,
  timeoutMs: 60 * 60 * 1000,
} as const;

export function contextAddonsPath(ctx: OdooContext): string {
  return addonsPath({
    addonsFolders: ctx.checkout?.addonsFolders ?? [],
    withPlatformAddons: Boolean(ctx.platformAddonsHostPath),
  });
}

/** The mounts of a run: what contextMounts reads of the context. */
export type MountContext = Pick<OdooContext, "dataVolume" | "checkout" | "platformAddonsHostPath" | "logDir" | "database">;

export function contextMounts(ctx: MountContext): Mount[] {
  const mounts: Mount[] = [{ type: "volume", source: ctx.dataVolume, target: CONTAINER_PATHS.data }];
  if (ctx.checkout) mounts.push({ type: "bind", source: ctx.checkout.hostPath, target: CONTAINER_PATHS.checkout, readOnly: true });
  if (ctx.platformAddonsHostPath) {
    mounts.push({ type: "bind", source: ctx.platformAddonsHostPath, target: CONTAINER_PATHS.platformAddons, readOnly: true });
  }
  // The generated config (database manager off, the build's master password): written by
  // ensureContextConfig before every run; a missing file makes the engine refuse the mount.
  mounts.push({ type: "bind", source: odooConfigHostPath(ctx), target: ODOO_RC_PATH, readOnly: true });
  return mounts;
}

/** Writes the generated Odoo config of the context's database (see odoo-config.ts); before every run. */
export async function ensureContextConfig(ctx: OdooContext): Promise<void> {
  await ensureOdooConfig({
    file: odooConfigHostPath(ctx),
    addonsPath: contextAddonsPath(ctx),
    dataDir: CONTAINER_PATHS.data,
    database: ctx.database,
  });
}

export function contextEnv(ctx: OdooContext): Record<string, string> {
  return { ...ctx.env, HOST: ctx.db.host, PORT: String(ctx.db.port), USER: ctx.db.user, PASSWORD: ctx.db.password };
}

export function contextLimits(ctx: OdooContext): Required<RunLimits> {
  return {
    cpus: ctx.limits?.cpus ?? DEFAULT_LIMITS.cpus,
    memoryBytes: ctx.limits?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes,
    timeoutMs: ctx.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
  };
}
