import { pingDocker } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import { withClient } from "../postgres";

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Why the platform itself cannot run builds right now (the Docker engine or the Odoo PostgreSQL
 * server does not answer), or null when both answer. A build that fails while this says something
 * was broken by the platform, not by its commit: runBuild leaves it to be resumed instead of
 * marking it red.
 */
export async function platformOutage(deps: Pick<WorkerDeps, "docker" | "postgres">): Promise<string | null> {
  try {
    await withTimeout(pingDocker({ docker: deps.docker }), "the Docker engine");
  } catch (e) {
    return (e as Error).message;
  }
  try {
    await withTimeout(
      deps.postgres().then((pg) => withClient({ pg }, (c) => c.query("SELECT 1"))),
      "the Odoo PostgreSQL server",
    );
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work.catch((e: Error) => Promise.reject(new Error(`${what} is unreachable: ${e.message}`))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
