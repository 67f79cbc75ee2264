import { domainErrorCodes } from "@slipway/domain";
import { describe, expect, it } from "vitest";
import { httpStatusFor } from "./http";

describe("httpStatusFor", () => {
  it("maps every code", () => {
    expect(Object.fromEntries(domainErrorCodes.map((c) => [c, httpStatusFor(c)]))).toEqual({
      not_found: 404,
      forbidden: 403,
      conflict: 409,
      invalid_state: 409,
      invalid_input: 400,
      upstream_failed: 502,
    });
  });
});
