import Dockerode from "dockerode";
import { mapDockerError } from "./errors";

const API = Symbol("dockerode");

/**
 * An opaque handle on one Docker engine. Callers never see dockerode's types: every function of
 * this package takes the handle and returns the package's own shapes.
 */
export interface DockerEngine {
  readonly socketPath: string;
  readonly [API]: Dockerode;
}

/** Connects to the engine behind a Unix socket (SLIPWAY_DOCKER_SOCKET); lazy, no request made. */
export function connectDocker(options: { socketPath: string }): DockerEngine {
  return { socketPath: options.socketPath, [API]: new Dockerode({ socketPath: options.socketPath }) };
}

/** Internal: the dockerode client behind a handle. Not exported from the package index. */
export function api(engine: DockerEngine): Dockerode {
  return engine[API];
}

/** Checks that the engine answers; returns its API version. */
export async function pingDocker(options: { docker: DockerEngine }): Promise<{ apiVersion: string }> {
  try {
    const version = await api(options.docker).version();
    return { apiVersion: version.ApiVersion };
  } catch (error) {
    throw mapDockerError(error, "docker engine");
  }
}
