import { api, type DockerEngine } from "./engine";
import { engineCall, isConflict, isNotFound } from "./errors";
import { fromDockerLabels, labelFilters, toDockerLabels, type LabelSelector, type SlipwayLabels } from "./labels";

export interface NetworkInfo {
  id: string;
  name: string;
  internal: boolean;
  labels: Record<string, string>;
}

/**
 * Creates a bridge network unless one with that name exists (idempotent). `internal: true` makes a
 * network without egress: containers on it reach each other but nothing outside.
 */
export async function ensureNetwork(options: {
  docker: DockerEngine;
  name: string;
  internal?: boolean;
  labels: SlipwayLabels;
  /**
   * Name of the host's bridge interface (at most 15 characters). Host firewall rules match build
   * networks by an interface-name prefix (ADR 0005).
   */
  bridgeName?: string;
  /** false: containers on this network cannot reach each other (only the gateway and beyond). */
  interContainer?: boolean;
  /** An IPv4 subnet (CIDR) of its own instead of one from the engine's pools, and its gateway (the host's address on it). */
  subnet?: { subnet: string; gateway: string };
}): Promise<NetworkInfo> {
  const { docker, name } = options;
  const existing = await inspectNetwork({ docker, name });
  if (existing) return existing;
  try {
    await api(docker).createNetwork({
      Name: name,
      Driver: "bridge",
      Internal: options.internal ?? false,
      CheckDuplicate: true,
      ...(options.subnet
        ? { IPAM: { Driver: "default", Config: [{ Subnet: options.subnet.subnet, Gateway: options.subnet.gateway }] } }
        : {}),
      Options: {
        ...(options.bridgeName ? { "com.docker.network.bridge.name": options.bridgeName } : {}),
        ...(options.interContainer === false ? { "com.docker.network.bridge.enable_icc": "false" } : {}),
      },
      Labels: toDockerLabels(options.labels),
    });
  } catch (error) {
    // Another process created it between our inspect and create: that is what we wanted. (The engine
    // may answer a name conflict, or, with a bridge name, "networks have same bridge name".)
    // The winner's network can take a moment to be found by name after the engine refused ours.
    if (!isConflict(error) && !(await eventually(() => inspectNetwork({ docker, name }))))
      await engineCall(`create network ${name}`, () => Promise.reject(error));
  }
  const created = await inspectNetwork({ docker, name });
  if (!created) throw new Error(`network ${name} vanished after creation`);
  return created;
}

/** `find` until it returns something, for up to ~2 s. */
async function eventually<T>(find: () => Promise<T | null>): Promise<T | null> {
  for (let i = 0; i < 10; i++) {
    const found = await find();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

export async function inspectNetwork(options: { docker: DockerEngine; name: string }): Promise<NetworkInfo | null> {
  try {
    const n = await api(options.docker).getNetwork(options.name).inspect();
    return { id: n.Id, name: n.Name, internal: Boolean(n.Internal), labels: fromDockerLabels(n.Labels) };
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect network ${options.name}`, () => Promise.reject(error));
  }
}

export async function listNetworks(options: { docker: DockerEngine; labels: LabelSelector }): Promise<NetworkInfo[]> {
  const list = await engineCall("list networks", () => api(options.docker).listNetworks({ filters: labelFilters(options.labels) }));
  return list.map((n) => ({ id: n.Id, name: n.Name, internal: Boolean(n.Internal), labels: fromDockerLabels(n.Labels) }));
}

/** Removes matching networks; containers still attached make the engine refuse (conflict). */
export async function removeNetworks(options: { docker: DockerEngine; labels: LabelSelector }): Promise<number> {
  const networks = await listNetworks(options);
  for (const n of networks) {
    try {
      await api(options.docker).getNetwork(n.id).remove();
    } catch (error) {
      if (!isNotFound(error)) await engineCall(`remove network ${n.name}`, () => Promise.reject(error));
    }
  }
  return networks.length;
}

/** Removes one network by name; missing is fine, attached containers make the engine refuse. */
export async function removeNetwork(options: { docker: DockerEngine; name: string }): Promise<void> {
  try {
    await api(options.docker).getNetwork(options.name).remove();
  } catch (error) {
    if (!isNotFound(error)) await engineCall(`remove network ${options.name}`, () => Promise.reject(error));
  }
}

/** Detaches a container from a network; not attached (or gone) is fine. */
export async function disconnectFromNetwork(options: { docker: DockerEngine; network: string; container: string }): Promise<void> {
  try {
    await api(options.docker).getNetwork(options.network).disconnect({ Container: options.container, Force: true });
  } catch (error) {
    const msg = String((error as { json?: { message?: string } }).json?.message ?? error);
    if (isNotFound(error) || /is not connected/i.test(msg)) return;
    await engineCall(`disconnect ${options.container} from ${options.network}`, () => Promise.reject(error));
  }
}

/** Attaches a running or stopped container to a network; already attached is fine. */
export async function connectToNetwork(options: {
  docker: DockerEngine;
  network: string;
  container: string;
  aliases?: string[];
}): Promise<void> {
  try {
    await api(options.docker)
      .getNetwork(options.network)
      .connect({ Container: options.container, EndpointConfig: { Aliases: options.aliases } });
  } catch (error) {
    const msg = String((error as { json?: { message?: string } }).json?.message ?? error);
    if (/already exists/i.test(msg)) return;
    await engineCall(`connect ${options.container} to ${options.network}`, () => Promise.reject(error));
  }
}

/** The container's IPv4 address on a network, or null when it is not attached (or not running). */
export async function containerIp(options: { docker: DockerEngine; container: string; network: string }): Promise<string | null> {
  const info = await engineCall(`inspect container ${options.container}`, () =>
    api(options.docker).getContainer(options.container).inspect(),
  );
  const ip = info.NetworkSettings.Networks[options.network]?.IPAddress;
  return ip ? ip : null;
}
