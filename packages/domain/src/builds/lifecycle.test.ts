import { describe, expect, it } from "vitest";
import { serverWorkers } from "./lifecycle";

describe("serverWorkers", () => {
  it("runs production prefork with two HTTP workers, the other stages threaded", () => {
    expect(serverWorkers("production")).toBe(2);
    expect(serverWorkers("staging")).toBe(0);
    expect(serverWorkers("development")).toBe(0);
  });
});
