import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import {
  buildImage,
  connectDocker,
  containerIp,
  containerStats,
  createAndStart,
  createContainer,
  ensureContainer,
  ensureNetwork,
  ensureVolume,
  execCommand,
  imageExists,
  inspectContainer,
  inspectImage,
  listContainers,
  listNetworks,
  listVolumes,
  openTtyExec,
  readLogs,
  followLogs,
  removeContainers,
  removeImage,
  removeNetworks,
  removeVolumes,
  runToCompletion,
  startContainer,
  waitForHttp,
  type LogLine,
} from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const IMAGE = "slipway/debian:bookworm";
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const labels = { role: "test", test: "docker-adapter" };
const selector = { test: "docker-adapter" };
const builtTags: string[] = [];
const tmp = mkdtempSync(join(tmpdir(), "slipway-docker-"));

afterAll(async () => {
  await removeContainers({ docker, labels: selector });
  await removeNetworks({ docker, labels: selector });
  await removeVolumes({ docker, labels: selector });
  for (const tag of builtTags) await removeImage({ docker, image: tag, force: true });
});

describe("networks and volumes", () => {
  it("ensures idempotently, lists and removes by label", async () => {
    const name = `slipway-test-net-${suffix}`;
    const a = await ensureNetwork({ docker, name, internal: true, labels });
    const b = await ensureNetwork({ docker, name, internal: true, labels });
    expect(b.id).toBe(a.id);
    expect(a.internal).toBe(true);
    expect(a.labels).toMatchObject({ managed: "true", role: "test", test: "docker-adapter" });
    expect((await listNetworks({ docker, labels: selector })).map((n) => n.name)).toContain(name);

    const vol = `slipway-test-vol-${suffix}`;
    await ensureVolume({ docker, name: vol, labels });
    await ensureVolume({ docker, name: vol, labels });
    expect((await listVolumes({ docker, labels: selector })).map((v) => v.name)).toContain(vol);
    expect(await removeVolumes({ docker, labels: selector })).toBeGreaterThanOrEqual(1);
    expect(await listVolumes({ docker, labels: selector })).toEqual([]);
  });
});

describe("runToCompletion", () => {
  it("streams demultiplexed output to a file and a callback, reports the exit code, removes the container", async () => {
    const lines: LogLine[] = [];
    const logFile = join(tmp, "run", "out.log");
    const res = await runToCompletion({
      docker,
      spec: { image: IMAGE, labels, cmd: ["bash", "-c", "echo one; echo two >&2; echo three; exit 3"] },
      timeoutMs: 30_000,
      logFile,
      onLine: (l) => lines.push(l),
    });
    expect(res.exitCode).toBe(3);
    expect(res.timedOut).toBe(false);
    expect(lines).toEqual(
      expect.arrayContaining([
        { stream: "stdout", line: "one" },
        { stream: "stderr", line: "two" },
        { stream: "stdout", line: "three" },
      ]),
    );
    expect(readFileSync(logFile, "utf8").split("\n").sort()).toEqual(["", "one", "three", "two"]);
    expect(await inspectContainer({ docker, id: res.containerId })).toBeNull();
  });

  it("kills a run that exceeds its wall time and leaves nothing behind", async () => {
    const started = Date.now();
    const res = await runToCompletion({
      docker,
      spec: { image: IMAGE, labels, cmd: ["sleep", "60"] },
      timeoutMs: 1_500,
    });
    expect(res.timedOut).toBe(true);
    expect(res.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await inspectContainer({ docker, id: res.containerId })).toBeNull();
  });
});

describe("long-running containers", () => {
  it("applies labels and limits, execs with and without TTY, reads logs and stats", async () => {
    const network = `slipway-test-net2-${suffix}`;
    await ensureNetwork({ docker, name: network, labels });
    const name = `slipway-test-box-${suffix}`;
    const spec = {
      name,
      image: IMAGE,
      labels: { ...labels, project: "p1", build: "42" },
      cmd: ["bash", "-c", "echo started; echo warn >&2; exec sleep 300"],
      network,
      limits: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024 },
    };
    const first = await ensureContainer({ docker, spec });
    const second = await ensureContainer({ docker, spec });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.id).toBe(first.id);
    expect(first.labels).toMatchObject({ project: "p1", build: "42", test: "docker-adapter" });
    expect((await listContainers({ docker, labels: { build: "42", test: "docker-adapter" } })).map((c) => c.name)).toEqual([name]);

    const ip = await containerIp({ docker, container: name, network });
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const plain = await execCommand({ docker, id: name, cmd: ["bash", "-c", "cat; echo err >&2; exit 4"], stdin: "from stdin\n" });
    expect(plain).toEqual({ exitCode: 4, stdout: "from stdin\n", stderr: "err\n" });

    const tty = await openTtyExec({
      docker,
      id: name,
      cmd: ["bash", "-c", "sleep 0.5; stty size; tty -s && echo is-a-tty; exit 5"],
      cols: 100,
      rows: 30,
    });
    let out = "";
    tty.stream.on("data", (d: Buffer) => (out += d.toString()));
    expect(await tty.exited).toBe(5);
    expect(out).toContain("is-a-tty");
    expect(out).toContain("30 100");

    const logs = await readLogs({ docker, id: name });
    expect(logs).toEqual(
      expect.arrayContaining([
        { stream: "stdout", line: "started" },
        { stream: "stderr", line: "warn" },
      ]),
    );
    const followed: LogLine[] = [];
    const follower = await followLogs({ docker, id: name, tail: 1, onLine: (l) => followed.push(l) });
    await new Promise((r) => setTimeout(r, 300));
    follower.stop();
    await follower.done;
    expect(followed).toHaveLength(1);

    const stats = await containerStats({ docker, id: name });
    expect(stats.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThanOrEqual(1);

    expect(await removeContainers({ docker, labels: { build: "42", test: "docker-adapter" } })).toBe(1);
    expect(await inspectContainer({ docker, id: name })).toBeNull();
  });

  it("createAndStart with startAfter: created meanwhile, started only once it is done; removed unstarted when it fails", async () => {
    const name = `slipway-test-after-${suffix}`;
    let done!: () => void;
    const gate = new Promise<void>((resolve) => (done = resolve));
    const starting = createAndStart({ docker, spec: { name, image: IMAGE, labels, cmd: ["sleep", "300"] }, startAfter: gate });
    let created = await inspectContainer({ docker, id: name });
    for (let i = 0; !created && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      created = await inspectContainer({ docker, id: name });
    }
    expect(created).toMatchObject({ running: false, state: "created" });
    done();
    expect((await starting).running).toBe(true);
    await removeContainers({ docker, labels: { ...selector } });
    const refused = await createAndStart({
      docker,
      spec: { name, image: IMAGE, labels, cmd: ["sleep", "300"] },
      startAfter: Promise.reject(new Error("not pinned")),
    }).catch((e: unknown) => e);
    expect((refused as Error).message).toBe("not pinned");
    expect(await inspectContainer({ docker, id: name })).toBeNull();
  });

  it("maps engine errors to domain error codes", async () => {
    const missing = await startContainer({ docker, id: `slipway-test-missing-${suffix}` }).catch((e: unknown) => e);
    expect(isDomainError(missing, "not_found")).toBe(true);
    const name = `slipway-test-dup-${suffix}`;
    await createContainer({ docker, spec: { name, image: IMAGE, labels, cmd: ["true"] } });
    const dup = await createContainer({ docker, spec: { name, image: IMAGE, labels, cmd: ["true"] } }).catch((e: unknown) => e);
    expect(isDomainError(dup, "conflict")).toBe(true);
    const noImage = await createAndStart({ docker, spec: { image: "slipway/no-such-image:0", labels } }).catch((e: unknown) => e);
    expect(isDomainError(noImage, "not_found")).toBe(true);
  });
});

describe("buildImage", () => {
  it("builds from a context folder with the legacy builder, labels the image, and surfaces failures", async () => {
    const ctx = mkdtempSync(join(tmp, "ctx-"));
    writeFileSync(join(ctx, "hello.txt"), "hi\n");
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${IMAGE}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt\n`);
    const tag = `slipway-test/built:${suffix}`;
    builtTags.push(tag);
    const progress: string[] = [];
    const logFile = join(tmp, "build.log");
    const res = await buildImage({ docker, context: ctx, tag, labels, logFile, onProgress: (t) => progress.push(t) });
    expect(res.imageId).toMatch(/^sha256:/);
    expect(await imageExists({ docker, image: tag })).toBe(true);
    expect((await inspectImage({ docker, image: tag }))?.labels).toMatchObject({ test: "docker-adapter" });
    expect(readFileSync(logFile, "utf8")).toContain(`Successfully tagged ${tag}`);

    writeFileSync(join(ctx, "Dockerfile"), `FROM ${IMAGE}\nRUN echo about to fail && false\n`);
    const badTag = `slipway-test/bad:${suffix}`;
    builtTags.push(badTag);
    const err = await buildImage({ docker, context: ctx, tag: badTag, labels, logFile }).catch((e: unknown) => e);
    expect(isDomainError(err, "upstream_failed")).toBe(true);
    expect((err as Error).message).toMatch(/returned a non-zero code: 1/);
    expect(readFileSync(logFile, "utf8")).toContain("about to fail");
    expect(await imageExists({ docker, image: badTag })).toBe(false);
  });
});

describe("waitForHttp", () => {
  it("succeeds once the URL answers 200 and gives up at the deadline otherwise", async () => {
    let ready = false;
    const server = createServer((_req, res) => res.writeHead(ready ? 200 : 503).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    setTimeout(() => (ready = true), 400);
    const ok = await waitForHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5_000, intervalMs: 50 });
    expect(ok.ok).toBe(true);
    expect(ok.elapsedMs).toBeGreaterThanOrEqual(300);
    // No connection is left open in the server: Odoo logs an idle keep-alive connection's timeout as
    // an ERROR line in the user's log (issue 15).
    await new Promise((r) => setTimeout(r, 100));
    expect(await new Promise<number>((r, j) => server.getConnections((e, n) => (e ? j(e) : r(n))))).toBe(0);
    await new Promise((r) => server.close(r));
    const ko = await waitForHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 600, intervalMs: 50 });
    expect(ko).toMatchObject({ ok: false, status: null });
    expect(ko.error).toBeTruthy();
  });

  it("polls often but asks shouldAbort at most every abortCheckEveryMs, and stops when it says so", async () => {
    let polls = 0;
    const server = createServer((_req, res) => {
      polls++;
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    let checks = 0;
    const started = Date.now();
    const result = await waitForHttp({
      url: `http://127.0.0.1:${port}/`,
      timeoutMs: 10_000,
      intervalMs: 20,
      abortCheckEveryMs: 300,
      shouldAbort: () => ++checks >= 4,
    });
    const elapsed = Date.now() - started;
    await new Promise((r) => server.close(r));
    expect(result).toMatchObject({ ok: false, status: 503 });
    // Four checks, 300 ms apart: stopped after ~1.2 s (not at the 10 s deadline), with many more polls than checks.
    expect(checks).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(1_100);
    expect(elapsed).toBeLessThan(5_000);
    expect(polls).toBeGreaterThan(checks * 3);
  });
});
