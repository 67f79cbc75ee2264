import { api, type DockerEngine } from "./engine";
import { engineCall, isNotFound } from "./errors";

/**
 * The IPv4 gateway of a bridge network (the host's address on it), or null when the network does
 * not exist or has no IPv4 gateway. Services the worker runs on the host (e.g. the mail catcher)
 * are reachable from build containers at this address, even on an internal network.
 */
export async function networkGateway(options: { docker: DockerEngine; name: string }): Promise<string | null> {
  try {
    const n = await api(options.docker).getNetwork(options.name).inspect();
    const configs = (n.IPAM?.Config ?? []) as { Gateway?: string; Subnet?: string }[];
    const v4 = configs.find((c) => c.Gateway && /^\d+\.\d+\.\d+\.\d+$/.test(c.Gateway));
    return v4?.Gateway ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect network ${options.name}`, () => Promise.reject(error));
  }
}

/** The IPv4 subnet (CIDR) of a network, or null when it does not exist or has none. */
export async function networkSubnet(options: { docker: DockerEngine; name: string }): Promise<string | null> {
  try {
    const n = await api(options.docker).getNetwork(options.name).inspect();
    const configs = (n.IPAM?.Config ?? []) as { Subnet?: string }[];
    return configs.find((c) => c.Subnet && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.Subnet))?.Subnet ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect network ${options.name}`, () => Promise.reject(error));
  }
}
