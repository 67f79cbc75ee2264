import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAndStart,
  ensureNetwork,
  inspectContainer,
  listContainers,
  removeContainers,
  startContainer,
  stopContainer,
} from "@slipway/docker";
import { reconcile } from "../builds/reconcile";
import { bridgeNameFor, projectNetworkName } from "../isolation/project-network";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { maintenanceRouteId, routeIdForBuild, routeUpstreams, UNAVAILABLE_PAGE } from "./caddy";
import { refreshRoutes, startRouteKeeper, type RouteKeeper } from "./route-keeper";
import { waitFor as waitForShared } from "../testing/wait-for";

// Issue 12, H5/H5b: a route follows its build's server container, never a stale address. The
// project's network is created with a subnet of its own so the test can hand the address of a
// stopped server to another project's container, as Docker does after a restart or a re-creation.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const tag = `rk${randomBytes(3).toString("hex")}`;
const IMPOSTOR = `IMPOSTOR of another project ${tag}`;
let h: PipelineHarness;
let network: string;
let buildId: string;
let hostname: string;
let keeper: RouteKeeper | null = null;

async function serverOf(id: string) {
  const [server] = await listContainers({ docker: h.deps.docker, labels: { build: id, role: "odoo-server" }, all: true });
  return server!;
}

async function ipOf(containerId: string): Promise<string> {
  return (await inspectContainer({ docker: h.deps.docker, id: containerId }))!.networks[network]!;
}

/** Another project's server (its labels), given `ip` on this project's network: what Docker may do with a freed address. */
async function startImpostor(ip: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const c = await createAndStart({
        docker: h.deps.docker,
        spec: {
          name: `slipway-test-${tag}-impostor-${randomBytes(2).toString("hex")}`,
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
    } catch (e) {
      // The address is released a moment after the stop: try again.
      if (Date.now() > deadline) throw e;
      await removeContainers({ docker: h.deps.docker, labels: { test: tag } });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000) =>
  waitForShared(what, fn, timeoutMs);

/** Requests the build's hostname for `ms`: every answer is recorded (status and body). */
async function sample(ms: number): Promise<Array<{ status: number; body: string }>> {
  const answers: Array<{ status: number; body: string }> = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    answers.push(await h.get(hostname, "/web/health").catch((e: Error) => ({ status: 0, body: e.message })));
    await new Promise((r) => setTimeout(r, 50));
  }
  return answers;
}

async function currentRoute() {
  return (await h.deps.caddy.routes()).find((r) => r["@id"] === routeIdForBuild(buildId)) ?? null;
}

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "rk", image, env: process.env });
  network = projectNetworkName(h.slug);
  // A subnet of its own (so an address can be asked for); another test's network may hold one: try others.
  for (let attempt = 0; ; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    const subnet = { subnet: `${prefix}.0/24`, gateway: `${prefix}.1` };
    try {
      await ensureNetwork({
        docker: h.deps.docker,
        name: network,
        internal: true,
        bridgeName: bridgeNameFor(network),
        subnet,
        labels: { project: h.projectId, role: "project-network" },
      });
      break;
    } catch (e) {
      if (attempt > 20) throw e;
    }
  }
  const build = await h.pushAndBuild("main", fixtureAddon("green_addon"));
  expect({ state: build.state, reason: build.failureReason }).toEqual({ state: "running", reason: null });
  buildId = build.id;
  hostname = build.hostname!;
}, 300_000);

afterAll(async () => {
  await keeper?.stop();
  await removeContainers({ docker: h.deps.docker, labels: { test: tag } }).catch(() => undefined);
  await h.close();
}, 120_000);

describe("routes follow containers, not addresses", () => {
  it("never sends a stopped server's hostname to the container that got its address, and follows the server when it starts again (events)", async () => {
    keeper = startRouteKeeper({ deps: h.deps, everyMs: 3_600_000 });
    await keeper.refresh();
    const server = await serverOf(buildId);
    const before = await ipOf(server.id);
    expect(await h.get(hostname, "/web/health")).toMatchObject({ status: 200 });
    expect(routeUpstreams((await currentRoute())!)?.upstream).toBe(`${before}:8069`);

    // The server stops (a restore swap, a rollback, a daemon restart); its address goes to another project's server.
    await stopContainer({ docker: h.deps.docker, id: server.id, timeoutSeconds: 5 });
    const impostor = await startImpostor(before);
    expect(await ipOf(impostor)).toBe(before);
    // The die event alone (the minute timer is an hour here) takes the route off the address.
    const answers = await sample(4_000);
    expect(answers.filter((a) => a.body.includes(IMPOSTOR))).toEqual([]);
    expect(answers.at(-1)).toMatchObject({ status: 502 });
    expect(answers.at(-1)!.body).toBe(UNAVAILABLE_PAGE);
    // A full refresh (the minute timer, a restore's call) keeps it so: the impostor is not the build's.
    const report = await refreshRoutes(h.deps);
    expect(report.routed).not.toContain(buildId);
    expect(routeUpstreams((await currentRoute())!)).toBeNull();
    expect((await sample(1_000)).filter((a) => a.body.includes(IMPOSTOR))).toEqual([]);

    // The server starts again (elsewhere on the subnet): the start event routes the hostname to it.
    await startContainer({ docker: h.deps.docker, id: server.id });
    const after = await ipOf(server.id);
    expect(after).not.toBe(before);
    await waitFor("the build to answer again", async () => {
      const a = await h.get(hostname, "/web/health").catch(() => null);
      expect(a?.body ?? "").not.toContain(IMPOSTOR);
      return a?.status === 200 && a.body.includes("pass");
    });
    expect(routeUpstreams((await currentRoute())!)?.upstream).toBe(`${after}:8069`);
    await keeper.stop();
    keeper = null;
    await removeContainers({ docker: h.deps.docker, labels: { test: tag } });
  }, 120_000);

  it("the scheduled reconciliation re-points a route whose server came back on another address (no event seen)", async () => {
    const server = await serverOf(buildId);
    const before = await ipOf(server.id);
    await stopContainer({ docker: h.deps.docker, id: server.id, timeoutSeconds: 5 });
    const impostor = await startImpostor(before);
    await startContainer({ docker: h.deps.docker, id: server.id });
    const after = await ipOf(server.id);
    expect(after).not.toBe(before);
    // Nobody watched: the route still names the old address, now the impostor's.
    expect(routeUpstreams((await currentRoute())!)?.upstream).toBe(`${before}:8069`);

    const report = await reconcile(h.deps, { scheduled: true });
    expect(report.routes.routed).toContain(buildId);
    expect(routeUpstreams((await currentRoute())!)?.upstream).toBe(`${after}:8069`);
    await waitFor("the build to answer", async () => (await h.get(hostname, "/web/health").catch(() => null))?.status === 200);
    expect((await sample(1_000)).filter((a) => a.body.includes(IMPOSTOR) || a.status !== 200)).toEqual([]);
    // The build is still running (its server exists), and a second pass changes nothing.
    expect((await h.prisma.build.findUniqueOrThrow({ where: { id: buildId } })).state).toBe("running");
    expect((await reconcile(h.deps, { scheduled: true })).routes).toMatchObject({ routed: [], unavailable: [], unchanged: 1 });
    await removeContainers({ docker: h.deps.docker, labels: { test: tag } });
    expect(impostor).toBeTruthy();
  }, 120_000);

  it("a maintenance page in front of a route stays in front while the route follows its server", async () => {
    const server = await serverOf(buildId);
    await h.deps.caddy.upsertMaintenanceRoute({ id: maintenanceRouteId(buildId), projectId: h.projectId, hosts: [hostname] });
    try {
      await stopContainer({ docker: h.deps.docker, id: server.id, timeoutSeconds: 5 });
      expect((await refreshRoutes(h.deps)).unavailable).toContain(buildId);
      expect(await h.get(hostname, "/web/health")).toMatchObject({ status: 503 });
      await startContainer({ docker: h.deps.docker, id: server.id });
      expect((await refreshRoutes(h.deps)).routed).toContain(buildId);
      expect(await h.get(hostname, "/web/health")).toMatchObject({ status: 503 });
    } finally {
      await h.deps.caddy.removeRoute(maintenanceRouteId(buildId));
    }
    await waitFor("the build to answer", async () => (await h.get(hostname, "/web/health").catch(() => null))?.status === 200);
  }, 120_000);

  it("a running build whose server container is gone altogether answers 502 meanwhile, and is stopped (route removed) by the reconciliation at start", async () => {
    await removeContainers({ docker: h.deps.docker, labels: { build: buildId, role: "odoo-server" } });
    // The every-minute pass stops nothing: the route answers 502.
    const scheduled = await reconcile(h.deps, { scheduled: true });
    expect(scheduled.stopped).toEqual([]);
    expect(scheduled.routes.unavailable).toContain(buildId);
    expect((await h.prisma.build.findUniqueOrThrow({ where: { id: buildId } })).state).toBe("running");
    expect((await h.get(hostname, "/web/health")).status).toBe(502);
    const report = await reconcile(h.deps);
    expect(report.stopped).toContain(buildId);
    expect((await h.prisma.build.findUniqueOrThrow({ where: { id: buildId } })).state).toBe("stopped");
    expect(await currentRoute()).toBeNull();
    expect((await h.get(hostname, "/web/health")).status).toBe(404);
  }, 120_000);
});
