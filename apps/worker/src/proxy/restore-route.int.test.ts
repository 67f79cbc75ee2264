import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAndStart, ensureNetwork, inspectContainer, listContainers, removeContainers } from "@slipway/docker";
import { createBackup } from "../backups/create-backup";
import { restoreBackup } from "../backups/restore-backup";
import { bridgeNameFor, projectNetworkName } from "../isolation/project-network";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { routeIdForBuild, routeUpstreams } from "./caddy";

// Issue 12, H5b: a production restore stops and starts the server; while it is stopped Docker hands
// its address to another project's container. After the restore the production hostname must reach
// the restored server, never that container — without waiting for the minute timer or an event
// (no route keeper runs here: the restore refreshes the route itself).
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const tag = `rr${randomBytes(3).toString("hex")}`;
const IMPOSTOR = `IMPOSTOR of another project ${tag}`;
let h: PipelineHarness;
let network: string;

async function impostorAt(ip: string): Promise<string> {
  const c = await createAndStart({
    docker: h.deps.docker,
    spec: {
      name: `slipway-test-${tag}-impostor`,
      image,
      user: "odoo",
      entrypoint: ["python3", "-c"],
      cmd: [
        "import http.server as h\n" +
          "class R(h.BaseHTTPRequestHandler):\n" +
          "  def do_GET(s):\n" +
          `    b=${JSON.stringify(IMPOSTOR)}.encode(); s.send_response(200); s.send_header('Content-Length', str(len(b))); s.end_headers(); s.wfile.write(b)\n` +
          "h.ThreadingHTTPServer(('0.0.0.0', 8069), R).serve_forever()\n",
      ],
      labels: { role: "odoo-server", project: randomUUID(), build: randomUUID(), test: tag },
      network,
      ipv4Address: ip,
    },
  });
  return c.id;
}

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "rr", image, env: process.env });
  network = projectNetworkName(h.slug);
  for (let attempt = 0; ; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    try {
      await ensureNetwork({
        docker: h.deps.docker,
        name: network,
        internal: true,
        bridgeName: bridgeNameFor(network),
        subnet: { subnet: `${prefix}.0/24`, gateway: `${prefix}.1` },
        labels: { project: h.projectId, role: "project-network" },
      });
      break;
    } catch (e) {
      if (attempt > 20) throw e;
    }
  }
}, 120_000);

afterAll(async () => {
  await removeContainers({ docker: h.deps.docker, labels: { test: tag } }).catch(() => undefined);
  await h.close();
}, 120_000);

describe("a production restore", () => {
  it("leaves the production hostname on the restored server, not on the container that took the server's address meanwhile", async () => {
    const build = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
    expect({ state: build.state, reason: build.failureReason }).toEqual({ state: "running", reason: null });
    const [server] = await listContainers({ docker: h.deps.docker, labels: { build: build.id, role: "odoo-server" }, all: true });
    const ipOf = async (id: string) => (await inspectContainer({ docker: h.deps.docker, id }))!.networks[network]!;
    const before = await ipOf(server!.id);
    expect((await h.get(build.hostname!, "/web/health")).status).toBe(200);
    const backup = await createBackup({ deps: h.deps, branchId: build.branchId, kind: "daily" });
    expect(backup.state).toBe("done");

    // While the swap has the server stopped, another project's container gets its address.
    let impostor: string | null = null;
    h.deps.faults = {
      at: async (point: string) => {
        if (point === "restore-swap:stopped-server") impostor = await impostorAt(before);
      },
    };
    try {
      await restoreBackup({ deps: h.deps, backupId: backup.id, targetBranchId: build.branchId });
    } finally {
      h.deps.faults = undefined;
    }
    expect(impostor).not.toBeNull();
    expect(await ipOf(impostor!)).toBe(before);
    const after = await ipOf(server!.id);
    expect(after).not.toBe(before);

    const route = (await h.deps.caddy.routes()).find((r) => r["@id"] === routeIdForBuild(build.id));
    expect(routeUpstreams(route!)?.upstream).toBe(`${after}:8069`);
    for (let i = 0; i < 10; i++) {
      const answer = await h.get(build.hostname!, "/web/health");
      expect(answer.body).not.toContain(IMPOSTOR);
      expect(answer.status).toBe(200);
    }
  }, 300_000);
});
