import { networkGateway } from "@slipway/docker";
import type { WorkerDeps } from "../deps";
import type { MailCatcherAddress } from "./neutralize-database";

export const DEFAULT_MAIL_CATCHER_PORT = 2525;

/**
 * Where neutralized databases send mail: `deps.mailCatcher` when set, else the gateway of the
 * builds network (the host's address on that internal bridge, reachable from build containers
 * although the network has no egress) on SLIPWAY_MAIL_CATCHER_PORT, where the worker's SMTP catcher
 * listens (apps/worker/src/mail; it sets `deps.mailCatcher` once started).
 */
export async function mailCatcherAddress(deps: WorkerDeps): Promise<MailCatcherAddress> {
  if (deps.mailCatcher) return deps.mailCatcher;
  const pg = await deps.postgres();
  const gateway = await networkGateway({ docker: deps.docker, name: pg.buildsNetwork });
  if (!gateway) throw new Error(`the builds network ${pg.buildsNetwork} has no IPv4 gateway for the mail catcher`);
  return { host: gateway, port: deps.config.mailCatcher.port };
}
