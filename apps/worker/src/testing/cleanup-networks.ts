// Test support: the project networks of every project in a test's own control-plane database go
// with the test (the managed server is detached first; a network still used by a container stays).
import type { WorkerDeps } from "../deps";
import { removeProjectNetwork } from "../isolation/project-network";

export async function removeTestProjectNetworks(deps: WorkerDeps): Promise<void> {
  const pg = await deps.postgres();
  for (const p of await deps.prisma.project.findMany({ select: { slug: true } })) {
    await removeProjectNetwork({ docker: deps.docker, pg, slug: p.slug }).catch(() => undefined);
  }
}
