import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error";
import { loadBaseConfig, loadWebConfig, loadWorkerConfig, odooImageFor } from "./load-config";

const key = randomBytes(32);
const valid = {
  DATABASE_URL: "postgresql://slipway:pw@127.0.0.1:54329/slipway",
  REDIS_URL: "redis://:pw@127.0.0.1:63799",
  SLIPWAY_ENCRYPTION_KEY: key.toString("base64"),
  SLIPWAY_SESSION_SECRET: "x".repeat(32),
};

function problemsOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadWebConfig", () => {
  it("returns typed, frozen settings with the documented defaults", () => {
    const config = loadWebConfig(valid);
    expect(config.databaseUrl).toBe(valid.DATABASE_URL);
    expect(config.redisUrl).toBe(valid.REDIS_URL);
    expect(config.encryptionKey.equals(key)).toBe(true);
    expect(config.web).toEqual({ host: "127.0.0.1", port: 3000, publicUrl: "http://127.0.0.1:3000" });
    expect(config.admin).toEqual({ login: "admin" });
    expect(config.proxyPort).toBe(8480);
    expect(config.terminalPort).toBe(3001);
    expect(config.baseDomain).toBe("slipway.localhost");
    expect(config.logLevel).toBe("info");
    expect(config.defaultOdooImage).toBe("odoo:{version}");
    // Default home is the repository's .slipway folder, whatever the working directory.
    expect(config.home).toBe(resolve(import.meta.dirname, "../../../.slipway"));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.web)).toBe(true);
    expect(() => {
      (config.web as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("reads explicit values and treats blank ones as unset", () => {
    const config = loadWebConfig({
      ...valid,
      SLIPWAY_WEB_HOST: "0.0.0.0",
      SLIPWAY_WEB_PORT: "4000",
      SLIPWAY_PUBLIC_URL: "https://slipway.example.com/",
      SLIPWAY_ADMIN_LOGIN: "root",
      SLIPWAY_ADMIN_PASSWORD: "long-enough",
      SLIPWAY_HOME: "/srv/slipway",
      SLIPWAY_LOG_LEVEL: "",
    });
    expect(config.web).toEqual({ host: "0.0.0.0", port: 4000, publicUrl: "https://slipway.example.com" });
    expect(config.admin).toEqual({ login: "root", password: "long-enough" });
    expect(config.home).toBe("/srv/slipway");
    expect(config.logLevel).toBe("info");
  });

  it("polls every 180 s by default; 0 turns polling off; other values are checked", () => {
    expect(loadWebConfig(valid).pollIntervalSeconds).toBe(180);
    expect(loadWorkerConfig({ ...valid, SLIPWAY_POLL_INTERVAL_SECONDS: "0" }).pollIntervalSeconds).toBe(0);
    expect(loadWorkerConfig({ ...valid, SLIPWAY_POLL_INTERVAL_SECONDS: "60" }).pollIntervalSeconds).toBe(60);
    for (const bad of ["5", "-1", "1m", "100000"]) {
      const error = problemsOf(() => loadWebConfig({ ...valid, SLIPWAY_POLL_INTERVAL_SECONDS: bad }));
      expect(error.problems.map((p) => p.variable)).toEqual(["SLIPWAY_POLL_INTERVAL_SECONDS"]);
    }
  });

  it("enables GitHub login only when both the client id and secret are set", () => {
    expect(loadWebConfig(valid).github).toEqual({ oauthUrl: "https://github.com", apiUrl: "https://api.github.com", organisations: [] });
    expect(loadWebConfig({ ...valid, SLIPWAY_GITHUB_CLIENT_ID: "Iv1.abc" }).github.oauth).toBeUndefined();
    const config = loadWebConfig({
      ...valid,
      SLIPWAY_GITHUB_CLIENT_ID: "Iv1.abc",
      SLIPWAY_GITHUB_CLIENT_SECRET: "shh",
      SLIPWAY_GITHUB_OAUTH_URL: "http://127.0.0.1:3199/",
      SLIPWAY_GITHUB_API_URL: "http://127.0.0.1:3199",
    });
    expect(config.github).toEqual({
      oauth: { clientId: "Iv1.abc", clientSecret: "shh" },
      oauthUrl: "http://127.0.0.1:3199",
      apiUrl: "http://127.0.0.1:3199",
      organisations: [],
    });
    expect(problemsOf(() => loadWebConfig({ ...valid, SLIPWAY_GITHUB_API_URL: "ftp://x" })).problems[0]?.variable).toBe(
      "SLIPWAY_GITHUB_API_URL",
    );
  });

  it("reads who may create projects and from what, refusing everything not allowed by default", () => {
    expect(loadWebConfig(valid).projects).toEqual({ creators: [], odooImages: ["odoo:*", "slipway/odoo-standin:*"] });
    const config = loadWebConfig({
      ...valid,
      SLIPWAY_PROJECT_CREATORS: "ada, grace bob",
      SLIPWAY_LOCAL_REPOS_ROOT: "/srv/git/",
      SLIPWAY_ODOO_IMAGES: "odoo:17.0,registry.example.com/odoo:*",
      SLIPWAY_GITHUB_ORGS: "acme,odoo-partners",
    });
    expect(config.projects).toEqual({
      creators: ["ada", "grace", "bob"],
      localReposRoot: "/srv/git",
      odooImages: ["odoo:17.0", "registry.example.com/odoo:*"],
    });
    expect(config.github.organisations).toEqual(["acme", "odoo-partners"]);
    const error = problemsOf(() =>
      loadWebConfig({
        ...valid,
        SLIPWAY_LOCAL_REPOS_ROOT: "srv/git",
        SLIPWAY_GITHUB_ORGS: "-bad",
        SLIPWAY_PROJECT_CREATORS: "a;b",
        SLIPWAY_ODOO_IMAGES: "odoo 17|x",
      }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "SLIPWAY_GITHUB_ORGS",
      "SLIPWAY_LOCAL_REPOS_ROOT",
      "SLIPWAY_ODOO_IMAGES",
      "SLIPWAY_PROJECT_CREATORS",
    ]);
  });

  it("trusts no proxy by default and reads trusted proxies and the live-stream cap (issue 12, M2/M3)", () => {
    expect(loadWebConfig(valid).trustedProxies).toEqual([]);
    expect(loadWebConfig(valid).eventStreamsPerAddress).toBe(16);
    const config = loadWebConfig({
      ...valid,
      SLIPWAY_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8 ::1 fd00::/8",
      SLIPWAY_EVENT_STREAMS_PER_ADDRESS: "4",
    });
    expect(config.trustedProxies).toEqual(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
    expect(config.eventStreamsPerAddress).toBe(4);
    for (const bad of ["localhost", "10.0.0.0/33", "1.2.3.4/", "::1/129", "1.2.3"]) {
      expect(
        problemsOf(() => loadWebConfig({ ...valid, SLIPWAY_TRUSTED_PROXIES: bad })).problems.map((p) => p.variable),
        bad,
      ).toEqual(["SLIPWAY_TRUSTED_PROXIES"]);
    }
    expect(problemsOf(() => loadWebConfig({ ...valid, SLIPWAY_EVENT_STREAMS_PER_ADDRESS: "0" })).problems.map((p) => p.variable)).toEqual([
      "SLIPWAY_EVENT_STREAMS_PER_ADDRESS",
    ]);
  });

  it("lists every missing required variable", () => {
    const error = problemsOf(() => loadWebConfig({}));
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "DATABASE_URL",
      "REDIS_URL",
      "SLIPWAY_ENCRYPTION_KEY",
      "SLIPWAY_SESSION_SECRET",
    ]);
    for (const p of error.problems) expect(p.problem).toBe("missing (required)");
    expect(error.message.split("\n")).toHaveLength(5);
    expect(error.message).toContain("DATABASE_URL: missing (required)");
  });

  it("lists several bad values at once without echoing them", () => {
    const error = problemsOf(() =>
      loadWebConfig({
        DATABASE_URL: "mysql://secret-db-password@host/db",
        REDIS_URL: "not a url",
        SLIPWAY_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64"),
        SLIPWAY_SESSION_SECRET: "short-secret",
        SLIPWAY_WEB_PORT: "70000",
        SLIPWAY_PUBLIC_URL: "ftp://x",
        SLIPWAY_LOG_LEVEL: "loud",
        SLIPWAY_ADMIN_PASSWORD: "abc",
      }),
    );
    const byName = Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
    expect(byName).toEqual({
      DATABASE_URL: expect.stringContaining("invalid URL"),
      REDIS_URL: expect.stringContaining("invalid URL"),
      SLIPWAY_ENCRYPTION_KEY: expect.stringContaining("32 bytes, got 16"),
      SLIPWAY_SESSION_SECRET: expect.stringContaining("too short"),
      SLIPWAY_WEB_PORT: expect.stringContaining("out of range"),
      SLIPWAY_PUBLIC_URL: expect.stringContaining("invalid URL"),
      SLIPWAY_LOG_LEVEL: expect.stringContaining("invalid log level"),
      SLIPWAY_ADMIN_PASSWORD: expect.stringContaining("too short"),
    });
    expect(error.message).toContain("8 problems");
    expect(error.message).not.toContain("secret-db-password");
    expect(error.message).not.toContain("short-secret");
  });
});

describe("loadWorkerConfig", () => {
  it("returns the worker settings with defaults and does not need web-only variables", () => {
    const { SLIPWAY_SESSION_SECRET: _unused, ...env } = valid;
    const config = loadWorkerConfig(env);
    expect(config.docker).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(config.caddy).toEqual({ adminUrl: "http://127.0.0.1:20190" });
    expect(config.odooPgImage).toBe("slipway/postgres:15");
    expect(config.defaultOdooImage).toBe("odoo:{version}");
    expect(odooImageFor(config.defaultOdooImage, "17.0")).toBe("odoo:17.0");
    expect("sessionSecret" in config).toBe(false);
    expect(config.backups).toEqual({ root: join(config.home, "backups"), hour: 2, timeZone: "UTC", importMaxBytes: 20 * 1024 ** 3 });
    expect(config.terminal).toEqual({ anonymousPerAddress: 2, anonymousPerBuild: 5 });
  });

  it("reads the anonymous shell caps and refuses zero", () => {
    expect(
      loadWorkerConfig({ ...valid, SLIPWAY_SHELL_ANONYMOUS_PER_ADDRESS: "1", SLIPWAY_SHELL_ANONYMOUS_PER_BUILD: "3" }).terminal,
    ).toEqual({ anonymousPerAddress: 1, anonymousPerBuild: 3 });
    expect(
      problemsOf(() => loadWorkerConfig({ ...valid, SLIPWAY_SHELL_ANONYMOUS_PER_BUILD: "0" })).problems.map((p) => p.variable),
    ).toEqual(["SLIPWAY_SHELL_ANONYMOUS_PER_BUILD"]);
  });

  it("reads the backup settings", () => {
    const config = loadWorkerConfig({
      ...valid,
      SLIPWAY_BACKUP_DIR: "/srv/b",
      SLIPWAY_BACKUP_HOUR: "23",
      SLIPWAY_BACKUP_TIME_ZONE: "Europe/Paris",
      SLIPWAY_IMPORT_MAX_BYTES: "1000",
    });
    expect(config.backups).toEqual({ root: "/srv/b", hour: 23, timeZone: "Europe/Paris", importMaxBytes: 1000 });
    const error = problemsOf(() => loadWorkerConfig({ ...valid, SLIPWAY_BACKUP_HOUR: "24", SLIPWAY_BACKUP_TIME_ZONE: "Mars/Olympus" }));
    expect(error.problems.map((p) => p.variable).sort()).toEqual(["SLIPWAY_BACKUP_HOUR", "SLIPWAY_BACKUP_TIME_ZONE"]);
  });

  it("gives the web the same backup store and import limit (downloads and uploads)", () => {
    const env = { ...valid, SLIPWAY_BACKUP_DIR: "/srv/b", SLIPWAY_IMPORT_MAX_BYTES: "1000" };
    expect(loadWebConfig(env).backups).toEqual(loadWorkerConfig(env).backups);
    expect(loadWebConfig(valid).backups.importMaxBytes).toBe(20 * 1024 ** 3);
    expect(problemsOf(() => loadWebConfig({ ...valid, SLIPWAY_IMPORT_MAX_BYTES: "lots" })).problems.map((p) => p.variable)).toEqual([
      "SLIPWAY_IMPORT_MAX_BYTES",
    ]);
  });

  it("rejects worker-specific bad values together with base ones", () => {
    const error = problemsOf(() =>
      loadWorkerConfig({
        ...valid,
        REDIS_URL: undefined,
        SLIPWAY_ENCRYPTION_KEY: "%%%",
        SLIPWAY_DOCKER_SOCKET: "docker.sock",
        SLIPWAY_DEFAULT_ODOO_IMAGE: "odoo:17.0",
        SLIPWAY_PROXY_PORT: "http",
      }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "REDIS_URL",
      "SLIPWAY_DEFAULT_ODOO_IMAGE",
      "SLIPWAY_DOCKER_SOCKET",
      "SLIPWAY_ENCRYPTION_KEY",
      "SLIPWAY_PROXY_PORT",
    ]);
    expect(error.message).toContain("SLIPWAY_ENCRYPTION_KEY: not valid base64");
    expect(error.message).toContain("{version}");
  });
});

describe("loadBaseConfig", () => {
  it("needs only the shared variables", () => {
    const config = loadBaseConfig({ ...valid, SLIPWAY_SESSION_SECRET: undefined });
    expect(config.redisUrl).toBe(valid.REDIS_URL);
  });
});
