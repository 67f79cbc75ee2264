import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connectDocker, createAndStart, removeContainers, stopContainer, watchContainerEvents, type ContainerEvent } from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const IMAGE = "slipway/debian:bookworm";
const tag = `events-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await removeContainers({ docker, labels: { test: tag } });
});

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("watchContainerEvents", () => {
  it("delivers start, die and destroy of the containers matching its labels only, in order", async () => {
    const seen: ContainerEvent[] = [];
    let connected = 0;
    const watch = watchContainerEvents({
      docker,
      labels: { test: tag, role: "watched" },
      actions: ["start", "die", "destroy"],
      onEvent: (e) => seen.push(e),
      onConnected: () => connected++,
    });
    try {
      await until("the stream to open", () => connected === 1);
      const other = await createAndStart({
        docker,
        spec: { name: `slipway-${tag}-other`, image: IMAGE, cmd: ["sleep", "300"], labels: { role: "other", test: tag }, network: "none" },
      });
      const c = await createAndStart({
        docker,
        spec: {
          name: `slipway-${tag}-watched`,
          image: IMAGE,
          cmd: ["sleep", "300"],
          labels: { role: "watched", test: tag },
          network: "none",
        },
      });
      await stopContainer({ docker, id: c.id, timeoutSeconds: 1 });
      await removeContainers({ docker, labels: { test: tag } });
      await until("destroy", () => seen.some((e) => e.action === "destroy"));
      expect(seen.map((e) => e.action)).toEqual(["start", "die", "destroy"]);
      expect(new Set(seen.map((e) => e.containerId))).toEqual(new Set([c.id]));
      expect(seen[0]!.labels).toMatchObject({ role: "watched", test: tag });
      expect(seen.some((e) => e.containerId === other.id)).toBe(false);
    } finally {
      watch.stop();
    }
  }, 60_000);
});
