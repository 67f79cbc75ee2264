import { describe, expect, it } from "vitest";
import { parseEvent } from "./events";

describe("parseEvent", () => {
  it("reads a container event of the engine's stream, labels without their prefix", () => {
    const line = JSON.stringify({
      Type: "container",
      Action: "die",
      Actor: {
        ID: "abc123",
        Attributes: { "org.slipway.build": "b1", "org.slipway.role": "odoo-server", image: "odoo:17", exitCode: "0" },
      },
      time: 1_700_000_000,
    });
    expect(parseEvent(line)).toEqual({
      action: "die",
      containerId: "abc123",
      labels: { build: "b1", role: "odoo-server" },
      time: 1_700_000_000,
    });
  });

  it("ignores other event types and lines that are not JSON", () => {
    expect(parseEvent(JSON.stringify({ Type: "network", Action: "connect", Actor: { ID: "n1" } }))).toBeNull();
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent(JSON.stringify({ Type: "container" }))).toBeNull();
  });
});
