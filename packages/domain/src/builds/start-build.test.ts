import { describe, expect, it } from "vitest";
import { startBuild } from "./start-build";

describe("startBuild", () => {
  it("enqueues the run of the build the row step queued, after that step", async () => {
    const calls: string[] = [];
    const result = await startBuild(
      async (id) => void calls.push(`enqueue ${id}`),
      async () => {
        calls.push("queue row");
        return { kind: "recorded", build: { id: "b1" } };
      },
      (r) => r.build,
    );
    expect(result).toEqual({ kind: "recorded", build: { id: "b1" } });
    expect(calls).toEqual(["queue row", "enqueue b1"]);
  });

  it("enqueues nothing when no build was queued, and nothing when queueing the row fails", async () => {
    const calls: string[] = [];
    const enqueue = async (id: string) => void calls.push(id);
    await startBuild(
      enqueue,
      async () => null,
      (b: { id: string } | null) => b,
    );
    await expect(
      startBuild(
        enqueue,
        async () => {
          throw new Error("conflict");
        },
        (b: { id: string }) => b,
      ),
    ).rejects.toThrow("conflict");
    expect(calls).toEqual([]);
  });
});
