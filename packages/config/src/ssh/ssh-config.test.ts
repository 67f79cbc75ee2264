import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config-error";
import { loadWebConfig, loadWorkerConfig } from "../load-config";
import { sshHostKeyFile } from "../state-paths";

const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  SLIPWAY_SESSION_SECRET: "x".repeat(32),
};

describe("SSH settings", () => {
  it("listen on the web host at 2222 by default; the command names the public URL's host", () => {
    expect(loadWorkerConfig(valid).ssh).toEqual({ listenHost: "127.0.0.1", port: 2222, publicHost: "127.0.0.1" });
    expect(loadWebConfig({ ...valid, SLIPWAY_PUBLIC_URL: "https://slipway.example.com", SLIPWAY_WEB_HOST: "0.0.0.0" }).ssh).toEqual({
      listenHost: "0.0.0.0",
      port: 2222,
      publicHost: "slipway.example.com",
    });
  });

  it("read SLIPWAY_SSH_PORT, SLIPWAY_SSH_HOST and SLIPWAY_SSH_PUBLIC_HOST, and check them", () => {
    const env = { ...valid, SLIPWAY_SSH_PORT: "22", SLIPWAY_SSH_HOST: "0.0.0.0", SLIPWAY_SSH_PUBLIC_HOST: "ssh.example.com" };
    expect(loadWorkerConfig(env).ssh).toEqual({ listenHost: "0.0.0.0", port: 22, publicHost: "ssh.example.com" });
    expect(() => loadWorkerConfig({ ...valid, SLIPWAY_SSH_PORT: "70000" })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ...valid, SLIPWAY_SSH_PUBLIC_HOST: "bad host" })).toThrow(ConfigError);
  });

  it("keep the host key in the state folder", () => {
    expect(sshHostKeyFile("/srv/slipway")).toBe("/srv/slipway/state/ssh/host_ed25519_key");
  });
});
