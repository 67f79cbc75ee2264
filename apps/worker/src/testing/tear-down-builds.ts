// Test support: what a suite that ran builds on its own control-plane database leaves behind goes
// with it (each build's containers, database and volume; the projects' networks), then the worker's
// connections (Redis, queues, Prisma) are closed.
import { releaseBuild } from "../builds/resources";
import type { WorkerDeps } from "../deps";
import { removeTestProjectNetworks } from "./cleanup-networks";

export async function tearDownBuildTests(deps: WorkerDeps): Promise<void> {
  for (const b of await deps.prisma.build.findMany({ select: { id: true, databaseName: true } }))
    await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
  await removeTestProjectNetworks(deps).catch(() => undefined);
  await deps.redis.quit().catch(() => undefined);
  await deps.queues.close().catch(() => undefined);
  await deps.prisma.$disconnect();
}
