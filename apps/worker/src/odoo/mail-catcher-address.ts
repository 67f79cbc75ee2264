import type { WorkerDeps } from "../deps";
import type { ProjectNetwork } from "../isolation/project-network";
import type { MailCatcherAddress } from "./neutralize-database";

export const DEFAULT_MAIL_CATCHER_PORT = 2525;

/**
 * Where a project's non-production builds send mail: the gateway of the project's network (the
 * host's address on that internal bridge, reachable from its containers although the network has
 * no egress), where the worker's catcher is asked to listen too (apps/worker/src/mail), on its port.
 * Without a catcher in this process: SLIPWAY_MAIL_CATCHER_PORT on that gateway.
 */
export async function mailCatcherAddress(deps: WorkerDeps, network: ProjectNetwork): Promise<MailCatcherAddress> {
  if (deps.mailCatcher) {
    await deps.mailCatcher.listenOn(network.gateway);
    return { host: network.gateway, port: deps.mailCatcher.port };
  }
  return { host: network.gateway, port: deps.config.mailCatcher.port };
}
