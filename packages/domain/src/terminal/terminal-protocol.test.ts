import { describe, expect, it } from "vitest";
import { parseTerminalMessage, parseTerminalRequest, shellFrameColor } from "./terminal-protocol";

describe("terminal upgrade request", () => {
  it("reads the ticket and the initial size", () => {
    expect(parseTerminalRequest("/terminal?ticket=st1.a.b&cols=120&rows=40")).toEqual({ ticket: "st1.a.b", cols: 120, rows: 40 });
  });
  it("ignores sizes out of range", () => {
    expect(parseTerminalRequest("/terminal?ticket=t&cols=0&rows=99999")).toEqual({ ticket: "t", cols: undefined, rows: undefined });
  });
  it("refuses other paths and missing tickets", () => {
    expect(parseTerminalRequest("/other?ticket=t")).toBeNull();
    expect(parseTerminalRequest("/terminal")).toBeNull();
    expect(parseTerminalRequest(undefined)).toBeNull();
  });
});

describe("terminal client messages", () => {
  it("reads input and resize", () => {
    expect(parseTerminalMessage('{"t":"in","d":"ls\\r"}')).toEqual({ t: "in", d: "ls\r" });
    expect(parseTerminalMessage('{"t":"resize","cols":80,"rows":24}')).toEqual({ t: "resize", cols: 80, rows: 24 });
  });
  it("drops anything else", () => {
    for (const text of ["ls", "{}", '{"t":"in","d":1}', '{"t":"resize","cols":-1,"rows":24}', '{"t":"exec","d":"rm"}', "null"])
      expect(parseTerminalMessage(text)).toBeNull();
  });
});

describe("shell frame", () => {
  it("is red for production, yellow otherwise", () => {
    expect(shellFrameColor("production")).toBe("red");
    expect(shellFrameColor("staging")).toBe("yellow");
    expect(shellFrameColor("development")).toBe("yellow");
  });
});
