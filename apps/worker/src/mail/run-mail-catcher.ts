import { publishProjectNotice } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { closeHostFirewallPort, ensureHostFirewall } from "../isolation/host-firewall";
import { createBuildSenders } from "./build-senders";
import { startMailCatcher, type MailCatcher } from "./smtp-catcher";
import { storeMail } from "./store-mail";

const RETRY_MS = 30_000;

/**
 * Starts the worker's mail catcher on 127.0.0.1 and SLIPWAY_MAIL_CATCHER_PORT (`port` overrides it:
 * tests pass 0); it then also listens on each project network's gateway (the host's address on that
 * internal bridge, the worker running on the host) as pipelines ask for it (mail-catcher-address.ts),
 * and the host firewall lets build bridges reach that port and no other. Sets `deps.mailCatcher`.
 */
export async function startWorkerMailCatcher(deps: WorkerDeps, options: { port?: number; hosts?: string[] } = {}): Promise<MailCatcher> {
  const catcher = await startMailCatcher({
    hosts: options.hosts ?? ["127.0.0.1"],
    port: options.port ?? deps.config.mailCatcher.port,
    senders: createBuildSenders({ docker: deps.docker, prisma: deps.prisma }),
    store: async (m) => {
      const stored = await storeMail({ prisma: deps.prisma, home: deps.config.home, ...m });
      // The Mails tab refreshes live, like the other build pages.
      await publishProjectNotice(deps.redis, { projectId: m.sender.projectId, buildId: m.sender.buildId, kind: "build" }).catch(
        () => undefined,
      );
      return stored;
    },
    logger: deps.logger,
  });
  await ensureHostFirewall({ allowTcpPorts: [catcher.port] }).catch((error: unknown) =>
    deps.logger.error({ err: (error as Error).message }, "host firewall: the mail catcher's port could not be opened to builds"),
  );
  deps.mailCatcher = catcher;
  // A catcher on another port than the configured one (tests) closes its port to builds with it.
  if (catcher.port !== deps.config.mailCatcher.port) {
    const close = catcher.close.bind(catcher);
    catcher.close = async () => {
      await close();
      await closeHostFirewallPort(catcher.port);
    };
  }
  deps.logger.info({ addresses: catcher.addresses }, "mail catcher listening");
  return catcher;
}

/**
 * The catcher for the worker's lifetime: retried every 30 s while Docker or the builds network is
 * not available yet (or the port is taken), so a worker started before Docker still gets one.
 */
export function runMailCatcher(deps: WorkerDeps): { stop(): Promise<void> } {
  let catcher: MailCatcher | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = () => {
    startWorkerMailCatcher(deps)
      .then((c) => {
        if (stopped) return c.close();
        catcher = c;
      })
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, "mail catcher could not start; retrying in 30 s");
        if (!stopped) timer = setTimeout(attempt, RETRY_MS);
      });
  };
  attempt();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await catcher?.close();
    },
  };
}
