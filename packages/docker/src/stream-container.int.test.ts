import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { listContainers, removeContainers } from "./containers";
import { connectDocker } from "./engine";
import { runStreaming } from "./stream-container";
import { runStreamingViaFifos } from "./stream-fifo";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const image = process.env.SLIPWAY_ODOO_PG_IMAGE ?? "slipway/postgres:15";
const labels = { role: "stream-test", test: "stream-container" };
const ioDir = mkdtempSync(join(tmpdir(), "slipway-stream-"));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

afterAll(async () => {
  await removeContainers({ docker, labels: { test: "stream-container" } });
  rmSync(ioDir, { recursive: true, force: true });
});

const modes = {
  attach: runStreaming,
  fifo: (o: Parameters<typeof runStreaming>[0]) => runStreamingViaFifos({ ...o, ioDir }),
};

describe.each(Object.entries(modes))("streamed containers through %s", (_mode, run) => {
  it("pipes stdin through a process to stdout, byte for byte, as a non-root user", async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const out = new PassThrough();
    const hash = createHash("sha256");
    out.on("data", (c: Buffer) => hash.update(c));
    const result = await run({
      docker,
      spec: { image, entrypoint: ["sh", "-c", "cat; echo done >&2"], user: "100", labels },
      stdin: Readable.from([data.subarray(0, 5e6), data.subarray(5e6)]),
      stdout: out,
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stderr: "done\n" });
    expect(hash.digest("hex")).toBe(sha(data));
  });

  it("returns the exit code of a process that stops reading early, without waiting for the input", async () => {
    const endless = Readable.from(
      (function* () {
        for (let i = 0; i < 2000; i++) yield randomBytes(1 << 20);
      })(),
    );
    const started = Date.now();
    const result = await run({
      docker,
      spec: { image, entrypoint: ["sh", "-c", "head -c 10 >/dev/null; echo bad >&2; exit 3"], labels },
      stdin: endless,
      stdout: new PassThrough().resume(),
    });
    expect(result).toMatchObject({ exitCode: 3, stderr: "bad\n" });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("kills the container when the consumer fails, and leaves nothing behind", async () => {
    const failing = new PassThrough({ highWaterMark: 1024 });
    setTimeout(() => failing.destroy(new Error("consumer gave up")), 300);
    await expect(run({ docker, spec: { image, entrypoint: ["sh", "-c", "cat /dev/zero"], labels }, stdout: failing })).rejects.toThrow(
      /consumer gave up|Premature close/,
    );
    expect(await listContainers({ docker, labels: { test: "stream-container" } })).toEqual([]);
    expect(readdirSync(ioDir)).toEqual([]);
  });
});
