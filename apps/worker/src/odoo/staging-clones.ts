// The worker's side of staging clones (ADR 0009): whether they can be used now (settings, storage,
// standby), and where a database lives — the managed server, or a staging database's own cluster.
import { join } from "node:path";
import { odooPostgresDir, type WorkerConfig } from "@slipway/config";
import { connectToNetwork, inspectContainer, listContainers, startContainer, stopContainer } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import {
  cloneConnection,
  cloneContainerName,
  cloneStorageStatus,
  ensureStandby,
  moveClone,
  removeClone,
  type CloneStorage,
  type ManagedPostgres,
  type Standby,
} from "../postgres";

export type StagingCloneSettings = WorkerConfig["stagingClones"];

export type CloneBackend = { ok: true; storage: CloneStorage; standby: Standby } | { ok: false; reason: string };

const creating = new Map<string, Promise<unknown>>();

function settingsOf(deps: Pick<WorkerDeps, "config" | "stagingClones">): StagingCloneSettings {
  return deps.stagingClones ?? deps.config.stagingClones;
}

async function storageOf(deps: Pick<WorkerDeps, "config" | "stagingClones">): Promise<ReturnType<typeof cloneStorageStatus>> {
  const s = settingsOf(deps);
  return cloneStorageStatus({ dir: s.storageDir, stateDir: odooPostgresDir(deps.config.home), loopSizeGb: s.loopSizeGb });
}

/**
 * The storage and the standby when clones are on and usable. A missing standby is created in the
 * background (a base backup is O(size), once): until it runs, copies fall back to pg_dump.
 */
export async function stagingCloneBackend(
  deps: Pick<WorkerDeps, "config" | "stagingClones" | "docker" | "postgres" | "logger">,
  options: { wait?: boolean } = {},
): Promise<CloneBackend> {
  if (settingsOf(deps).mode !== "auto") return { ok: false, reason: "staging clones are off (SLIPWAY_STAGING_CLONES)" };
  const status = await storageOf(deps);
  if (!status.ok) return status;
  const primary = await deps.postgres();
  const key = `${primary.containerName}:${status.storage.root}`;
  const standbyName = `${primary.containerName}-standby`;
  const up = await inspectContainer({ docker: deps.docker, id: standbyName });
  const ensure = () => ensureStandby({ docker: deps.docker, image: deps.config.odooPgImage, primary, storage: status.storage, labels: {} });
  if (!up?.running || creating.has(key)) {
    let p = creating.get(key) as Promise<Standby> | undefined;
    if (!p) {
      p = ensure().finally(() => creating.delete(key));
      creating.set(key, p);
      p.catch((e: unknown) => deps.logger.error({ err: (e as Error).message }, "the staging standby could not be created"));
    }
    if (!options.wait) return { ok: false, reason: "the standby is being created" };
    return { ok: true, storage: status.storage, standby: await p };
  }
  try {
    return { ok: true, storage: status.storage, standby: await ensure() };
  } catch (error) {
    return { ok: false, reason: `standby unavailable: ${(error as Error).message}` };
  }
}

/** Where `database` lives: its own staging cluster (started again if stopped), else the managed server. */
export async function postgresFor(deps: Pick<WorkerDeps, "docker" | "postgres">, database: string | null): Promise<ManagedPostgres> {
  const primary = await deps.postgres();
  if (!database) return primary;
  const info = await inspectContainer({ docker: deps.docker, id: cloneContainerName(database) });
  if (!info) return primary;
  if (!info.running) await startContainer({ docker: deps.docker, id: info.id });
  return (await cloneConnection({ docker: deps.docker, primary, database })) ?? primary;
}

/**
 * Where the tools containers (pg_dump of a backup, as the database's role) reach `database`: its own
 * cluster, on the tools network like the managed server (clusters cloned before it joined at
 * creation join now), or the managed server.
 */
export async function postgresForTools(deps: Pick<WorkerDeps, "docker" | "postgres">, database: string): Promise<ManagedPostgres> {
  const pg = await postgresFor(deps, database);
  if (pg.containerName === cloneContainerName(database)) {
    await connectToNetwork({ docker: deps.docker, network: pg.toolsNetwork, container: pg.containerName });
  }
  return pg;
}

/** Removes a staging database's own cluster (container and snapshot); false when it had none. */
export async function dropStagingClone(deps: Pick<WorkerDeps, "config" | "stagingClones" | "docker">, database: string): Promise<boolean> {
  const info = await inspectContainer({ docker: deps.docker, id: cloneContainerName(database) });
  if (!info) return false;
  const status = await storageOf(deps).catch(() => null);
  // Whatever the settings now, the snapshot sits where clones were made.
  const storage = status?.ok
    ? status.storage
    : { root: join(odooPostgresDir(deps.config.home), "clones"), kind: "btrfs" as const, source: "loop" as const };
  await removeClone({ docker: deps.docker, storage, database });
  return true;
}

/** Stops a staging database's own cluster (its build stopped; `postgresFor` starts it again). */
export async function stopStagingClone(deps: Pick<WorkerDeps, "docker">, database: string): Promise<void> {
  const info = await inspectContainer({ docker: deps.docker, id: cloneContainerName(database) });
  if (info?.running) await stopContainer({ docker: deps.docker, id: info.id });
}

/** Removes every staging cluster of a project (its deletion). */
export async function dropProjectStagingClones(
  deps: Pick<WorkerDeps, "config" | "stagingClones" | "docker">,
  projectId: string,
): Promise<number> {
  const clones = await listContainers({ docker: deps.docker, labels: { project: projectId, role: "staging-postgres" }, all: true });
  for (const c of clones) {
    const database = c.labels.database;
    if (database) await dropStagingClone(deps, database);
  }
  return clones.length;
}

/**
 * "Update previous build" when the previous staging database is a clone: the cluster moves to the
 * new name (moveClone). False when `from` has no cluster (it is on the managed server).
 */
export async function takeOverStagingClone(
  deps: Pick<WorkerDeps, "config" | "stagingClones" | "docker" | "postgres">,
  options: { from: string; to: string; network: string },
): Promise<boolean> {
  const info = await inspectContainer({ docker: deps.docker, id: cloneContainerName(options.from) });
  if (!info) return false;
  const status = await storageOf(deps);
  if (!status.ok) throw new Error(`the staging cluster of ${options.from} cannot be moved: ${status.reason}`);
  await moveClone({
    docker: deps.docker,
    image: deps.config.odooPgImage,
    primary: await deps.postgres(),
    storage: status.storage,
    ...options,
  });
  return true;
}
