// Brings up what the platform needs on one machine: Debian packages, the Docker engine, the
// control-plane PostgreSQL cluster, Redis, Caddy and the local base images. Everything binds to
// loopback. Each component is reused when it already runs, or skipped when the caller configured
// an external one (DATABASE_URL, REDIS_URL, SLIPWAY_DOCKER_SOCKET/DOCKER_HOST, SLIPWAY_CADDY_ADMIN_URL).
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { httpGet, must, run, tcpOpen, waitFor, which } from "./proc.mjs";
import { ensureImages } from "./images.mjs";

export const PORTS = { postgres: 54329, redis: 63799, caddyAdmin: 20190, proxy: 8480, proxyTls: 8443, web: 3000 };

const APT = {
  docker: { bin: "dockerd", pkg: "docker.io" },
  redis: { bin: "redis-server", pkg: "redis-server" },
  caddy: { bin: "caddy", pkg: "caddy" },
  chromium: { bin: "chromium", pkg: "chromium" },
  debootstrap: { bin: "debootstrap", pkg: "debootstrap" },
  git: { bin: "git", pkg: "git" },
  // The SSH tests (integration and e2e) use OpenSSH's ssh and ssh-keygen as users do.
  ssh: { bin: "ssh", pkg: "openssh-client" },
  // HTTPS tests: Let's Encrypt's test ACME server, and openssl for its API's throwaway certificate.
  pebble: { bin: "pebble", pkg: "pebble" },
  openssl: { bin: "openssl", pkg: "openssl" },
  // Private repositories over SSH (packages/git's tests): a real OpenSSH server on loopback.
  sshd: { bin: "sshd", pkg: "openssh-server" },
  // Staging clones (ADR 0009): the standby and its snapshots on btrfs (a loop-mounted image in tests).
  btrfs: { bin: "mkfs.btrfs", pkg: "btrfs-progs" },
};

function pgBinDir() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(`${base}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${base}/${versions[0]}/bin` : null;
}

/** Installs the Debian packages whose programs are missing, in one apt-get run. */
async function ensurePackages(wanted, log) {
  const missing = [];
  for (const key of wanted) {
    const spec = APT[key];
    if (spec && !which(spec.bin)) missing.push(spec.pkg);
  }
  if (wanted.includes("postgres") && !pgBinDir()) missing.push("postgresql-15");
  if (wanted.includes("chromium") && !which("chromium")) missing.push("fonts-liberation");
  if (!missing.length) return;
  log(`installing Debian packages: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await must("apt-get", ["update", "-q"], { env });
  await must("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], { env });
}

function loadSecrets(home) {
  const file = path.join(home, "secrets.json");
  let s = {};
  if (existsSync(file)) s = JSON.parse(readFileSync(file, "utf8"));
  const wanted = {
    postgresPassword: () => randomBytes(18).toString("hex"),
    redisPassword: () => randomBytes(18).toString("hex"),
    sessionSecret: () => randomBytes(32).toString("hex"),
    encryptionKey: () => randomBytes(32).toString("base64"),
  };
  let changed = false;
  for (const [k, gen] of Object.entries(wanted)) {
    if (s[k]) continue;
    s[k] = gen();
    changed = true;
  }
  if (changed) {
    writeFileSync(file, JSON.stringify(s, null, 2) + "\n", { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return s;
}

// ---------------------------------------------------------------- Docker engine
async function dockerPing(socketPath) {
  const r = await httpGet("http://docker/_ping", { socketPath, timeoutMs: 2000 });
  return r?.status === 200;
}

async function ensureDocker({ home, log, started }) {
  if (process.env.DOCKER_HOST) {
    log(`docker: using DOCKER_HOST=${process.env.DOCKER_HOST}`);
    return { socketPath: null };
  }
  const socketPath = process.env.SLIPWAY_DOCKER_SOCKET || "/var/run/docker.sock";
  if (await dockerPing(socketPath)) {
    log(`docker: engine already running (${socketPath})`);
    return { socketPath };
  }
  if (process.env.SLIPWAY_DOCKER_SOCKET) throw new Error(`SLIPWAY_DOCKER_SOCKET=${socketPath} does not answer`);
  const logFile = path.join(home, "logs", "dockerd.log");
  const fd = openSync(logFile, "a");
  // One internal network per project (ADR 0005): the engine's default pools hold about 30
  // networks; /24s out of 172.20.0.0/14 hold 1024.
  const child = spawn(which("dockerd") ?? "dockerd", ["--default-address-pool", "base=172.20.0.0/14,size=24"], {
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  child.unref();
  log(`docker: starting dockerd (log ${logFile})`);
  await waitFor("the Docker engine", () => dockerPing(socketPath), { timeoutMs: 90_000 });
  started.push({
    name: "dockerd",
    stop: async () => {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        return;
      }
      await waitFor("dockerd to stop", async () => !(await dockerPing(socketPath)), { timeoutMs: 30_000 }).catch(() => {});
    },
  });
  return { socketPath };
}

// ---------------------------------------------------------------- PostgreSQL (control plane)
function canPostgresReach(dir) {
  // PostgreSQL refuses to run as root; its data folder must be reachable by the postgres user.
  return run("runuser", ["-u", "postgres", "--", "test", "-x", dir]).then((r) => r.code === 0);
}

async function ensurePostgres({ home, log, started, secrets }) {
  if (process.env.DATABASE_URL) {
    log("postgres: using DATABASE_URL from the environment");
    return { url: process.env.DATABASE_URL };
  }
  const bin = pgBinDir();
  if (!bin) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql");
  let root = path.join(home, "postgres");
  if (!(await canPostgresReach(home))) {
    root = path.join("/var/lib/slipway", Buffer.from(home).toString("hex").slice(-24), "postgres");
    log(`postgres: ${home} is not reachable by the postgres user; keeping the cluster in ${root}`);
  }
  const data = path.join(root, "data");
  const port = PORTS.postgres;
  const pg = (prog, args) => must("runuser", ["-u", "postgres", "--", `${bin}/${prog}`, ...args]);
  if (!existsSync(path.join(data, "PG_VERSION"))) {
    mkdirSync(root, { recursive: true });
    await must("chown", ["postgres:postgres", root]);
    const pwfile = path.join(root, ".pw");
    writeFileSync(pwfile, secrets.postgresPassword + "\n", { mode: 0o600 });
    await must("chown", ["postgres:postgres", pwfile]);
    log(`postgres: initialising a cluster in ${data}`);
    await pg("initdb", [
      "-D",
      data,
      "-U",
      "slipway",
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ]);
    rmSync(pwfile);
    const conf = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${root}'`, "max_connections = 200"];
    writeFileSync(
      path.join(data, "postgresql.conf"),
      readFileSync(path.join(data, "postgresql.conf"), "utf8") + "\n" + conf.join("\n") + "\n",
    );
  }
  const url = `postgresql://slipway:${secrets.postgresPassword}@127.0.0.1:${port}/slipway`;
  if (await tcpOpen("127.0.0.1", port)) {
    log(`postgres: already running on 127.0.0.1:${port}`);
  } else {
    log(`postgres: starting on 127.0.0.1:${port}`);
    await pg("pg_ctl", ["-D", data, "-l", path.join(root, "postgres.log"), "-w", "-t", "60", "start"]);
    started.push({ name: "postgres", stop: () => pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {}) });
  }
  // The platform's database; migrations create the tables.
  const exists = await run("runuser", [
    "-u",
    "postgres",
    "--",
    `${bin}/psql`,
    "-h",
    root,
    "-p",
    String(port),
    "-U",
    "slipway",
    "-d",
    "postgres",
    "-Atc",
    "SELECT 1 FROM pg_database WHERE datname = 'slipway'",
  ]);
  if (exists.stdout.trim() !== "1") await pg("createdb", ["-h", root, "-p", String(port), "-U", "slipway", "slipway"]);
  return { url };
}

// ---------------------------------------------------------------- Redis
async function ensureRedis({ home, log, started, secrets }) {
  if (process.env.REDIS_URL) {
    log("redis: using REDIS_URL from the environment");
    return { url: process.env.REDIS_URL };
  }
  const port = PORTS.redis;
  const dir = path.join(home, "redis");
  mkdirSync(dir, { recursive: true });
  const url = `redis://:${secrets.redisPassword}@127.0.0.1:${port}`;
  const cli = ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "-a", secrets.redisPassword];
  const ping = async () => (await run("redis-cli", [...cli, "ping"])).stdout.trim() === "PONG";
  if (await tcpOpen("127.0.0.1", port)) {
    log(`redis: already running on 127.0.0.1:${port}`);
    return { url };
  }
  const conf = path.join(dir, "redis.conf");
  writeFileSync(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      "protected-mode yes",
      `dir ${dir}`,
      "daemonize yes",
      `pidfile ${dir}/redis.pid`,
      `logfile ${dir}/redis.log`,
      `requirepass ${secrets.redisPassword}`,
      "appendonly yes",
      'save ""',
    ].join("\n") + "\n",
    { mode: 0o600 },
  );
  log(`redis: starting on 127.0.0.1:${port}`);
  await must("redis-server", [conf]);
  await waitFor("Redis", ping, { timeoutMs: 20_000 });
  started.push({ name: "redis", stop: () => run("redis-cli", [...cli, "shutdown"]) });
  return { url };
}

// ---------------------------------------------------------------- Caddy (reverse proxy driven by the worker)
async function ensureCaddy({ home, log, started }) {
  const adminUrl = process.env.SLIPWAY_CADDY_ADMIN_URL || `http://127.0.0.1:${PORTS.caddyAdmin}`;
  const alive = async () => (await httpGet(`${adminUrl}/config/`))?.status === 200;
  if (await alive()) {
    log(`caddy: admin API already answering at ${adminUrl}`);
    return { adminUrl };
  }
  if (process.env.SLIPWAY_CADDY_ADMIN_URL) throw new Error(`SLIPWAY_CADDY_ADMIN_URL=${adminUrl} does not answer`);
  const dir = path.join(home, "caddy");
  mkdirSync(path.join(dir, "data"), { recursive: true });
  const config = {
    admin: { listen: `127.0.0.1:${PORTS.caddyAdmin}` },
    storage: { module: "file_system", root: path.join(dir, "data") },
    apps: {
      // Never install Caddy's local CA into the machine's trust stores.
      pki: { certificate_authorities: { local: { install_trust: false } } },
      http: {
        http_port: PORTS.proxy,
        https_port: PORTS.proxyTls,
        servers: { slipway: { listen: [`127.0.0.1:${PORTS.proxy}`], routes: [], automatic_https: { disable: true } } },
      },
    },
  };
  const file = path.join(dir, "caddy.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  const fd = openSync(path.join(home, "logs", "caddy.log"), "a");
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") };
  const child = spawn(which("caddy") ?? "caddy", ["run", "--config", file], { detached: true, stdio: ["ignore", fd, fd], env });
  child.unref();
  log(`caddy: starting (admin ${adminUrl}, proxy 127.0.0.1:${PORTS.proxy})`);
  await waitFor("Caddy's admin API", alive, { timeoutMs: 30_000 });
  started.push({
    name: "caddy",
    stop: async () => {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    },
  });
  return { adminUrl };
}

/**
 * Provisions the requested components. Returns the environment the platform's processes need and
 * the list of things this call started (so the caller can stop exactly those).
 */
export async function provision({ root, home = path.join(root, ".slipway"), want, log = (m) => console.log(`[provision] ${m}`) }) {
  const t0 = Date.now();
  mkdirSync(path.join(home, "logs"), { recursive: true });
  const started = [];
  const packages = ["docker", "redis", "caddy", "postgres", "git", "debootstrap"].filter(
    (k) => want.includes(k) || (k === "debootstrap" && want.includes("images")),
  );
  if (want.includes("chromium")) packages.push("chromium");
  if (want.includes("docker")) packages.push("ssh", "sshd", "btrfs");
  if (want.includes("caddy")) packages.push("pebble", "openssl");
  await ensurePackages(packages, log);
  const secrets = loadSecrets(home);
  const env = { SLIPWAY_HOME: home };
  try {
    if (want.includes("docker")) {
      const d = await ensureDocker({ home, log, started });
      if (d.socketPath) env.SLIPWAY_DOCKER_SOCKET = d.socketPath;
    }
    if (want.includes("postgres")) env.DATABASE_URL = (await ensurePostgres({ home, log, started, secrets })).url;
    if (want.includes("redis")) env.REDIS_URL = (await ensureRedis({ home, log, started, secrets })).url;
    if (want.includes("caddy")) {
      env.SLIPWAY_CADDY_ADMIN_URL = (await ensureCaddy({ home, log, started })).adminUrl;
      env.SLIPWAY_PROXY_PORT = String(PORTS.proxy);
    }
    if (want.includes("images")) await ensureImages({ root, home, log });
  } catch (e) {
    await stopStarted(started, log);
    throw e;
  }
  env.SLIPWAY_SESSION_SECRET = secrets.sessionSecret;
  env.SLIPWAY_ENCRYPTION_KEY = secrets.encryptionKey;
  writeFileSync(
    path.join(home, "env"),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n",
    { mode: 0o600 },
  );
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { env, started };
}

/** Stops, in reverse order, what provision() started. */
export async function stopStarted(started, log = (m) => console.log(`[provision] ${m}`)) {
  for (const s of [...started].reverse()) {
    log(`stopping ${s.name}`);
    await s.stop();
  }
  started.length = 0;
}
