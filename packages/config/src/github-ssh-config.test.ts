import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error";
import { loadWorkerConfig } from "./load-config";

const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

describe("Git over SSH to GitHub (worker settings)", () => {
  it("pins GitHub's own keys by default; a known_hosts file and an endpoint for Enterprise or tests", () => {
    expect(loadWorkerConfig(valid).githubSsh).toEqual({});
    expect(
      loadWorkerConfig({
        ...valid,
        SLIPWAY_GITHUB_SSH_KNOWN_HOSTS: "/etc/slipway/known_hosts",
        SLIPWAY_GITHUB_SSH_ENDPOINT: "ada@127.0.0.1:2222",
      }).githubSsh,
    ).toEqual({ knownHostsFile: "/etc/slipway/known_hosts", endpoint: { host: "127.0.0.1", port: 2222, user: "ada" } });
    expect(loadWorkerConfig({ ...valid, SLIPWAY_GITHUB_SSH_ENDPOINT: "ghe.example.com" }).githubSsh.endpoint).toEqual({
      host: "ghe.example.com",
      port: 22,
    });
    expect(loadWorkerConfig({ ...valid, SLIPWAY_GITHUB_SSH_ENDPOINT: "[::1]:22" }).githubSsh.endpoint).toEqual({ host: "::1", port: 22 });
  });

  it("refuses a relative known_hosts path and an endpoint with a command in it", () => {
    for (const [variable, value] of [
      ["SLIPWAY_GITHUB_SSH_KNOWN_HOSTS", "known_hosts"],
      ["SLIPWAY_GITHUB_SSH_ENDPOINT", "-oProxyCommand=sh"],
      ["SLIPWAY_GITHUB_SSH_ENDPOINT", "host:22 -p"],
    ] as const) {
      let error: unknown;
      try {
        loadWorkerConfig({ ...valid, [variable]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]?.variable).toBe(variable);
    }
  });
});
