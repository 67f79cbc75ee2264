import { createHash, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connectDocker, ensureNetwork, removeNetworks } from "./index";

const docker = connectDocker({ socketPath: process.env.SLIPWAY_DOCKER_SOCKET ?? "/var/run/docker.sock" });
const tag = `ensure-net-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await removeNetworks({ docker, labels: { test: tag } });
});

describe("ensureNetwork", () => {
  it("is idempotent under concurrency: two builds of a project creating its network at once both get it", async () => {
    const name = `slipway-test-${tag}`;
    const bridgeName = `slt${createHash("sha1").update(name).digest("hex").slice(0, 12)}`;
    // With a bridge name the engine refuses the loser with "networks have same bridge name", not a name conflict.
    const made = await Promise.all(
      Array.from({ length: 4 }, () => ensureNetwork({ docker, name, internal: true, bridgeName, labels: { role: "test", test: tag } })),
    );
    expect(new Set(made.map((n) => n.id)).size).toBe(1);
    expect(made[0]!.name).toBe(name);
  }, 60_000);
});
