import { describe, expect, it } from "vitest";
import { DomainError, isDomainError, isDomainErrorCode } from "./errors";

describe("DomainError", () => {
  it("carries code, message, details and cause", () => {
    const cause = new Error("socket closed");
    const error = new DomainError("not_found", "Build not found", { details: { buildId: "b1" }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DomainError");
    expect(error.code).toBe("not_found");
    expect(error.message).toBe("Build not found");
    expect(error.details).toEqual({ buildId: "b1" });
    expect(error.cause).toBe(cause);
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it("has no details unless given", () => {
    expect(new DomainError("conflict", "x").details).toBeUndefined();
  });
});

describe("type guards", () => {
  it("recognises domain errors, optionally by code", () => {
    const error = new DomainError("forbidden", "no");
    expect(isDomainError(error)).toBe(true);
    expect(isDomainError(error, "forbidden", "not_found")).toBe(true);
    expect(isDomainError(error, "conflict")).toBe(false);
    expect(isDomainError(new Error("no"))).toBe(false);
    expect(isDomainError({ code: "forbidden", message: "no" })).toBe(false);
  });

  it("recognises codes", () => {
    expect(isDomainErrorCode("invalid_state")).toBe(true);
    expect(isDomainErrorCode("teapot")).toBe(false);
    expect(isDomainErrorCode(404)).toBe(false);
  });
});
