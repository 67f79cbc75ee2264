// One internal Docker network per project (ADR 0005): a project's build containers, its one-off Odoo
// runs and the managed PostgreSQL server are on it; nothing else. Docker drops traffic between
// bridge networks and internal networks have no egress, so a project's containers reach no other
// project's. The host's firewall (host-firewall.ts) keeps them from the host's own services: every
// build bridge is named `slw…` so one rule covers them all.
import { createHash } from "node:crypto";
import { connectToNetwork, disconnectFromNetwork, ensureNetwork, networkGateway, removeNetwork, type DockerEngine } from "@slipway/docker";
import type { ManagedPostgres } from "../postgres";

/** Interface-name prefix of every bridge a build container can sit on (project, tools, egress). */
export const BUILD_BRIDGE_PREFIX = "slw";

export function projectNetworkName(slug: string): string {
  return `slipway-net-${slug}`;
}

/** Linux interface names are at most 15 characters: `slw` + 12 hex of the network's name. */
export function bridgeNameFor(network: string): string {
  return `${BUILD_BRIDGE_PREFIX}${createHash("sha1").update(network).digest("hex").slice(0, 12)}`;
}

export interface ProjectNetwork {
  name: string;
  /** The host's address on it: where the worker's mail catcher listens for this project. */
  gateway: string;
}

/** Creates (or reuses) the project's network and attaches the managed PostgreSQL server to it. */
export async function ensureProjectNetwork(options: {
  docker: DockerEngine;
  pg: ManagedPostgres;
  project: { id: string; slug: string };
  labels?: Record<string, string>;
}): Promise<ProjectNetwork> {
  const { docker } = options;
  const name = projectNetworkName(options.project.slug);
  await ensureNetwork({
    docker,
    name,
    internal: true,
    bridgeName: bridgeNameFor(name),
    labels: { ...options.labels, project: options.project.id, role: "project-network" },
  });
  await connectToNetwork({ docker, network: name, container: options.pg.containerName });
  const gateway = await networkGateway({ docker, name });
  if (!gateway) throw new Error(`the project network ${name} has no IPv4 gateway`);
  return { name, gateway };
}

/** Removes a project's network (its containers gone first): the server is detached, then the network removed. */
export async function removeProjectNetwork(options: { docker: DockerEngine; pg: ManagedPostgres; slug: string }): Promise<void> {
  const name = projectNetworkName(options.slug);
  await disconnectFromNetwork({ docker: options.docker, network: name, container: options.pg.containerName });
  await removeNetwork({ docker: options.docker, name });
}

/**
 * The network production servers use to reach the outside world (real mail, payment providers):
 * not internal, and containers on it cannot reach each other (inter-container traffic off).
 */
export const EGRESS_NETWORK = { name: "slipway-egress", bridge: `${BUILD_BRIDGE_PREFIX}-egress` } as const;

export async function ensureEgressNetwork(options: { docker: DockerEngine }): Promise<string> {
  await ensureNetwork({
    docker: options.docker,
    name: EGRESS_NETWORK.name,
    bridgeName: EGRESS_NETWORK.bridge,
    interContainer: false,
    labels: { role: "egress-network" },
  });
  return EGRESS_NETWORK.name;
}

/** A server container's address on its project's network (what the proxy and health checks use). */
export function projectNetworkIp(networks: Record<string, string>): string | null {
  const entry = Object.entries(networks).find(([name, ip]) => name.startsWith("slipway-net-") && ip);
  return entry ? entry[1] : null;
}

/**
 * The network `pip install` of a requirements image runs on: egress to the internet only — the host
 * firewall refuses the host's services, private and link-local addresses from it (host-firewall.ts).
 */
export const BUILD_EGRESS_NETWORK = { name: "slipway-build-egress", bridge: `${BUILD_BRIDGE_PREFIX}-pip` } as const;

export async function ensureBuildEgressNetwork(options: { docker: DockerEngine }): Promise<string> {
  await ensureNetwork({
    docker: options.docker,
    name: BUILD_EGRESS_NETWORK.name,
    bridgeName: BUILD_EGRESS_NETWORK.bridge,
    interContainer: false,
    labels: { role: "build-egress-network" },
  });
  return BUILD_EGRESS_NETWORK.name;
}
