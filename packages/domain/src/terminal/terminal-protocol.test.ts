import { describe, expect, it } from "vitest";
import { formatTerminalResume, parseTerminalMessage, parseTerminalRequest, shellFrameColor } from "./terminal-protocol";

describe("terminal upgrade request", () => {
  it("reads the ticket and the initial size", () => {
    expect(parseTerminalRequest("/terminal?ticket=st1.a.b&cols=120&rows=40")).toEqual({ ticket: "st1.a.b", cols: 120, rows: 40 });
  });
  it("ignores sizes out of range", () => {
    expect(parseTerminalRequest("/terminal?ticket=t&cols=0&rows=99999")).toEqual({ ticket: "t", cols: undefined, rows: undefined });
  });
  it("reads a resume of a detached session, and marks a malformed one instead of guessing", () => {
    const secret = "A".repeat(42) + "_";
    const id = "0b6f2c1e-8f4a-4c59-9a51-5d2f8e0c7b13";
    expect(parseTerminalRequest(`/terminal?ticket=t&resume=${id}.${secret}`)).toMatchObject({
      ticket: "t",
      resume: { sessionId: id, secret },
    });
    expect(formatTerminalResume({ sessionId: id, secret })).toBe(`${id}.${secret}`);
    for (const bad of [id, `${id}.short`, `not-a-uuid.${secret}`, `${id}.${secret}x`, ""])
      expect(parseTerminalRequest(`/terminal?ticket=t&resume=${encodeURIComponent(bad)}`)).toMatchObject({ resume: "malformed" });
    expect(parseTerminalRequest("/terminal?ticket=t")).not.toHaveProperty("resume");
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
