import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error";
import { loadWorkerConfig } from "./load-config";

const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

describe("worker config: mail catcher and garbage collection", () => {
  it("defaults to port 2525, 3 idle days for development and 90 days for staging", () => {
    const config = loadWorkerConfig(valid);
    expect(config.mailCatcher).toEqual({ port: 2525 });
    expect(config.gc).toEqual({ developmentIdleDays: 3, stagingMaxAgeDays: 90, deletedProjectGraceDays: 7 });
  });

  it("reads SLIPWAY_MAIL_CATCHER_PORT and the GC limits (fractions of days allowed)", () => {
    const config = loadWorkerConfig({
      ...valid,
      SLIPWAY_MAIL_CATCHER_PORT: "2626",
      SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS: "0.5",
      SLIPWAY_GC_STAGING_MAX_AGE_DAYS: "30",
    });
    expect(config.mailCatcher.port).toBe(2626);
    expect(config.gc).toEqual({ developmentIdleDays: 0.5, stagingMaxAgeDays: 30, deletedProjectGraceDays: 7 });
  });

  it("refuses bad values, each named", () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        ...valid,
        SLIPWAY_MAIL_CATCHER_PORT: "70000",
        SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS: "0",
        SLIPWAY_GC_STAGING_MAX_AGE_DAYS: "soon",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      "SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS",
      "SLIPWAY_GC_STAGING_MAX_AGE_DAYS",
      "SLIPWAY_MAIL_CATCHER_PORT",
    ]);
  });
});
