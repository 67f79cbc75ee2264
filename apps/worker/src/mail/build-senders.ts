import { findMailSenderBuild, type Db } from "@slipway/db";
import type { Stage } from "@slipway/domain";
import { inspectContainer, listContainers, type DockerEngine } from "@slipway/docker";

export interface MailSender {
  buildId: string;
  projectId: string;
  stage: Stage;
}

export interface BuildSenders {
  /** The build whose container has this address on the builds network, or null. */
  resolve(ip: string): Promise<MailSender | null>;
}

/** "::ffff:192.168.80.5" (IPv4-mapped, as Node reports it on dual-stack sockets) → "192.168.80.5". */
export function plainIp(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * Identifies who sends a message by the connection's source address: every container of a build
 * carries the `org.slipway.build` label and has its own address on its project's network (internal, so
 * addresses cannot be spoofed from outside it). The address → build map is re-read from Docker when
 * an address is unknown (at most every `refreshMs`), since containers come and go with builds.
 * Only builds of this control plane's database count; production builds are never caught.
 */
export function createBuildSenders(options: { docker: DockerEngine; prisma: Db; refreshMs?: number }): BuildSenders {
  const { docker, prisma } = options;
  const refreshMs = options.refreshMs ?? 1_000;
  let byIp = new Map<string, string>();
  let readAt = 0;
  let reading: Promise<void> | null = null;

  async function reread(): Promise<void> {
    const next = new Map<string, string>();
    for (const c of await listContainers({ docker, labels: { build: true }, all: false })) {
      const buildId = c.labels.build;
      if (!buildId) continue;
      const info = await inspectContainer({ docker, id: c.id }).catch(() => null);
      // Its address on any of its networks (a project's internal network: addresses are unique
      // across bridges and cannot be spoofed from outside them).
      for (const ip of Object.values(info?.networks ?? {})) if (ip) next.set(ip, buildId);
    }
    byIp = next;
    readAt = Date.now();
  }

  return {
    async resolve(address) {
      const ip = plainIp(address);
      if (!byIp.has(ip) && Date.now() - readAt >= refreshMs) {
        reading ??= reread().finally(() => (reading = null));
        await reading;
      }
      const buildId = byIp.get(ip);
      if (!buildId || !/^[0-9a-f-]{36}$/i.test(buildId)) return null;
      const build = await findMailSenderBuild(prisma, buildId);
      if (!build || build.stage === "production") return null;
      return { buildId: build.id, projectId: build.projectId, stage: build.stage };
    },
  };
}
