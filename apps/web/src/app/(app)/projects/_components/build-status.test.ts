import { describe, expect, it } from "vitest";
import { buildColour, statusText } from "./build-status";

describe("build status badge", () => {
  it("shows the state while in progress, the result once done", () => {
    expect(statusText({ state: "testing", result: null })).toBe("Testing");
    expect(buildColour({ state: "testing", result: null })).toBe("grey");
    expect(statusText({ state: "running", result: "green" })).toBe("Green");
    expect(statusText({ state: "stopped", result: "yellow" })).toBe("Yellow · Stopped");
    expect(statusText({ state: "failed", result: "red" })).toBe("Red · Failed");
    expect(buildColour({ state: "failed", result: null })).toBe("red");
    expect(statusText({ state: "cancelled", result: null })).toBe("Cancelled");
    expect(buildColour({ state: "cancelled", result: null })).toBe("grey");
  });
});
