import type Dockerode from "dockerode";
import { api, type DockerEngine } from "./engine";
import { engineCall, isNotFound } from "./errors";
import { fromDockerLabels, labelFilters, toDockerLabels, type LabelSelector, type SlipwayLabels } from "./labels";
import { connectToNetwork } from "./networks";

export interface Mount {
  type: "volume" | "bind";
  /** Volume name, or absolute host path for a bind. */
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface ResourceLimits {
  /** CPUs (fractional allowed), e.g. 1.5. */
  cpus?: number;
  memoryBytes?: number;
}

/**
 * What a container may do beyond running its process. Every container the platform starts that runs
 * a project's code (or reads a project's files) gets `BUILD_SECURITY` or stricter (ADR 0005).
 */
export interface SecurityOptions {
  /** Linux capabilities removed (`["ALL"]` for everything) … */
  capDrop?: string[];
  /** … and the few added back. */
  capAdd?: string[];
  /** No privilege gain through setuid binaries or file capabilities. */
  noNewPrivileges?: boolean;
  /** At most this many processes/threads in the container (fork bombs end there). */
  pidsLimit?: number;
  readOnlyRootfs?: boolean;
}

/** Odoo needs no capability: it runs as uid 101 and listens on ports above 1024. */
export const BUILD_SECURITY: Readonly<SecurityOptions> = Object.freeze({ capDrop: ["ALL"], noNewPrivileges: true, pidsLimit: 512 });

export interface ContainerSpec {
  image: string;
  name?: string;
  labels: SlipwayLabels;
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
  hostname?: string;
  mounts?: Mount[];
  /**
   * First network (attached at creation); `extraNetworks` are connected before the start. `"none"`:
   * no network at all (only loopback).
   */
  network?: string;
  networkAliases?: string[];
  /** A fixed IPv4 address on `network` (only on a network created with a subnet of its own). */
  ipv4Address?: string;
  extraNetworks?: string[];
  limits?: ResourceLimits;
  security?: SecurityOptions;
  restart?: "no" | "unless-stopped" | "on-failure";
  tty?: boolean;
  /** Keep stdin open (for interactive use). */
  openStdin?: boolean;
  /** Close the container's stdin when the attached client disconnects (streamed input). */
  stdinOnce?: boolean;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: string;
  running: boolean;
  exitCode: number | null;
  labels: Record<string, string>;
  /** Network name → IPv4 address ("" when not running). */
  networks: Record<string, string>;
  /** The container's environment (KEY → value), as it was created. */
  env: Record<string, string>;
}

function createOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    Env: env,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Hostname: spec.hostname,
    Labels: toDockerLabels(spec.labels),
    Tty: spec.tty ?? false,
    OpenStdin: spec.openStdin ?? false,
    StdinOnce: spec.stdinOnce ?? false,
    HostConfig: {
      Mounts: (spec.mounts ?? []).map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly ?? false,
      })),
      NetworkMode: spec.network ?? "bridge",
      NanoCpus: spec.limits?.cpus ? Math.round(spec.limits.cpus * 1e9) : undefined,
      Memory: spec.limits?.memoryBytes,
      // Same value: no swap beyond the memory limit, so the limit is a real limit.
      MemorySwap: spec.limits?.memoryBytes,
      RestartPolicy: { Name: spec.restart ?? "no" },
      CapDrop: spec.security?.capDrop,
      CapAdd: spec.security?.capAdd,
      SecurityOpt: spec.security?.noNewPrivileges ? ["no-new-privileges:true"] : undefined,
      PidsLimit: spec.security?.pidsLimit,
      ReadonlyRootfs: spec.security?.readOnlyRootfs,
    },
    NetworkingConfig:
      spec.network && spec.network !== "none"
        ? {
            EndpointsConfig: {
              [spec.network]: {
                Aliases: spec.networkAliases,
                ...(spec.ipv4Address ? { IPAMConfig: { IPv4Address: spec.ipv4Address } } : {}),
              },
            },
          }
        : undefined,
  };
}

/** Creates a container (not started) and attaches its extra networks. */
export async function createContainer(options: { docker: DockerEngine; spec: ContainerSpec }): Promise<string> {
  const { docker, spec } = options;
  const container = await engineCall(`create container ${spec.name ?? spec.image}`, () => api(docker).createContainer(createOptions(spec)));
  try {
    for (const network of spec.extraNetworks ?? []) {
      await connectToNetwork({ docker, network, container: container.id, aliases: spec.networkAliases });
    }
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  return container.id;
}

export async function startContainer(options: { docker: DockerEngine; id: string }): Promise<void> {
  try {
    await api(options.docker).getContainer(options.id).start();
  } catch (error) {
    // 304: already started.
    if ((error as { statusCode?: number }).statusCode === 304) return;
    await engineCall(`start container ${options.id}`, () => Promise.reject(error));
  }
}

/**
 * Creates and starts a container. `startAfter`: what must be done before it runs (the container is
 * created meanwhile); when it fails, the container is removed unstarted and its error thrown.
 */
export async function createAndStart(options: {
  docker: DockerEngine;
  spec: ContainerSpec;
  startAfter?: Promise<unknown>;
}): Promise<ContainerInfo> {
  // Awaited once the container exists: a failure meanwhile is not an unhandled rejection.
  options.startAfter?.catch(() => undefined);
  const id = await createContainer(options);
  try {
    await options.startAfter;
    await startContainer({ docker: options.docker, id });
  } catch (error) {
    await removeContainer({ docker: options.docker, id, force: true }).catch(() => undefined);
    throw error;
  }
  return (await inspectContainer({ docker: options.docker, id }))!;
}

/**
 * Idempotent: reuses the container with `spec.name` when it exists (starting it when stopped),
 * otherwise creates and starts it. `created` tells which happened.
 */
export async function ensureContainer(options: {
  docker: DockerEngine;
  spec: ContainerSpec & { name: string };
}): Promise<ContainerInfo & { created: boolean }> {
  const existing = await inspectContainer({ docker: options.docker, id: options.spec.name });
  if (existing) {
    if (!existing.running) await startContainer({ docker: options.docker, id: existing.id });
    const info = await inspectContainer({ docker: options.docker, id: existing.id });
    return { ...info!, created: false };
  }
  return { ...(await createAndStart(options)), created: true };
}

/** Inspects by id or name; null when it does not exist. */
export async function inspectContainer(options: { docker: DockerEngine; id: string }): Promise<ContainerInfo | null> {
  try {
    const c = await api(options.docker).getContainer(options.id).inspect();
    const networks: Record<string, string> = {};
    for (const [name, n] of Object.entries(c.NetworkSettings.Networks ?? {})) networks[name] = n.IPAddress ?? "";
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      image: c.Config.Image,
      state: c.State.Status,
      running: c.State.Running,
      exitCode: c.State.Running ? null : c.State.ExitCode,
      labels: fromDockerLabels(c.Config.Labels),
      networks,
      env: Object.fromEntries((c.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])),
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect container ${options.id}`, () => Promise.reject(error));
  }
}

/** Stops gracefully (SIGTERM, then SIGKILL after the timeout); stopped or missing is fine. */
export async function stopContainer(options: { docker: DockerEngine; id: string; timeoutSeconds?: number }): Promise<void> {
  try {
    await api(options.docker)
      .getContainer(options.id)
      .stop({ t: options.timeoutSeconds ?? 10 });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 304 || status === 404) return;
    await engineCall(`stop container ${options.id}`, () => Promise.reject(error));
  }
}

export async function killContainer(options: { docker: DockerEngine; id: string }): Promise<void> {
  try {
    await api(options.docker).getContainer(options.id).kill();
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // 409: not running any more; 404: gone.
    if (status === 409 || status === 404) return;
    await engineCall(`kill container ${options.id}`, () => Promise.reject(error));
  }
}

/** Removes a container (with its anonymous volumes); missing is fine. */
export async function removeContainer(options: { docker: DockerEngine; id: string; force?: boolean }): Promise<void> {
  try {
    await api(options.docker)
      .getContainer(options.id)
      .remove({ force: options.force ?? false, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // 404: gone; 409 "removal already in progress" also means it is going away.
    if (status === 404) return;
    if (status === 409 && /already in progress/i.test(String(error))) return;
    await engineCall(`remove container ${options.id}`, () => Promise.reject(error));
  }
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
}

export async function listContainers(options: { docker: DockerEngine; labels: LabelSelector; all?: boolean }): Promise<ContainerSummary[]> {
  const list = await engineCall("list containers", () =>
    api(options.docker).listContainers({ all: options.all ?? true, filters: labelFilters(options.labels) }),
  );
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? "").replace(/^\//, ""),
    image: c.Image,
    state: c.State,
    labels: fromDockerLabels(c.Labels),
  }));
}

/** Force-removes every matching container; returns how many there were. */
export async function removeContainers(options: { docker: DockerEngine; labels: LabelSelector }): Promise<number> {
  const list = await listContainers({ ...options, all: true });
  for (const c of list) await removeContainer({ docker: options.docker, id: c.id, force: true });
  return list.length;
}

/** Waits for the container to stop; returns its exit code. */
export async function waitContainer(options: { docker: DockerEngine; id: string }): Promise<number> {
  const res = await engineCall(`wait container ${options.id}`, () => api(options.docker).getContainer(options.id).wait());
  return (res as { StatusCode: number }).StatusCode;
}
