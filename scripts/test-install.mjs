#!/usr/bin/env node
// `npm run test:install`: the production install tested end to end (issue 16 item 4), on fresh
// Debian 12 containers with systemd as PID 1 (each with its own Docker engine):
//   1. infra/install.sh from a checkout → units active, the panel answers through Caddy on its domain,
//      Chromium logs in with the printed password and creates a project on a local repository,
//      the project's branch builds green and its build answers through Caddy;
//   2. infra/upgrade.sh to a newer commit (a release tarball with one more migration) keeps the data;
//      an upgrade whose migration fails rolls back (previous release, database from the dump);
//   3. the self-backup unit's archive, restored by infra/restore.sh onto a second fresh container,
//      brings the project, the admin's login and the secrets back.
// `npm test` runs it as its `install` step (`npm test -- --only install`). Needs the Docker engine,
// the local images (slipway/debian, slipway/postgres, the 17.0 stand-in) and Chromium, which
// `npm test` provisions; reaches Debian's mirror and the npm registry from inside the containers.
//   --report FILE   writes { passed, failed, seconds, steps } (assertions passed; 1 failed when it fails)
//   --timeout S     gives up after S seconds (default 2700), cleaning up
//   --run ID        names its containers, volumes and folder slipway-instest-<ID>-… (default: its pid)
//   --cleanup ID    only removes what run ID left (npm test calls it after a run it had to kill)
// Containers and volumes carry the label org.slipway.instest.run; a run removes its own on success,
// failure, SIGINT/SIGTERM or timeout, and those of earlier runs whose process is gone.
// SLIPWAY_INSTALL_TEST_KEEP=1 keeps the containers for inspection.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PREFIX = "slipway-instest";
const IMAGE = `${PREFIX}/systemd:bookworm`;
const DOMAIN = "panel.slipway.test";
const ADMIN_EMAIL = "ops@slipway.test";
const PRELOADED = ["slipway/debian:bookworm", "slipway/postgres:15", "slipway/odoo-standin:17.0"];
const KEEP = process.env.SLIPWAY_INSTALL_TEST_KEEP === "1";
const { values: opts } = parseArgs({
  options: { report: { type: "string" }, timeout: { type: "string" }, run: { type: "string" }, cleanup: { type: "string" } },
});
const RUN_LABEL = "org.slipway.instest.run";
const PID_LABEL = "org.slipway.instest.pid";
const RUN = opts.cleanup ?? opts.run ?? String(process.pid);
if (!/^[a-z0-9-]{1,32}$/.test(RUN)) throw new Error(`--run/--cleanup: invalid id ${RUN}`);
const cacheDir = path.join(tmpdir(), `${PREFIX}-cache`);
const mnt = path.join(tmpdir(), `${PREFIX}-${RUN}-mnt`);
const TIMEOUT_S = Number(opts.timeout ?? 2700);
const t0 = Date.now();
const timings = [];
let passed = 0;

const log = (m) => console.log(`[test-install ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
  passed += 1;
  log(`ok: ${message}`);
}
async function step(name, fn) {
  const s = Date.now();
  log(`== ${name}`);
  const r = await fn();
  timings.push([name, (Date.now() - s) / 1000]);
  return r;
}
/** A command to completion (at most 15 minutes unless opts.timeout says otherwise). */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 15 * 60_000, ...opts });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status ?? r.error?.message}\n${(r.stdout ?? "").slice(-4000)}\n${(r.stderr ?? "").slice(-4000)}`,
    );
  return r;
}
const docker = (...args) => run("docker", args).stdout.trim();
/** A bash script run as root inside a test container. */
const inCt = (ct, script, opts = {}) => run("docker", ["exec", ct, "bash", "-c", script], opts);
/** Like inCt, streaming the output (long steps: install, upgrade, restore); resolves to [code, output]. */
function inCtLive(ct, script, label) {
  return new Promise((resolve) => {
    const child = spawn("docker", ["exec", ct, "bash", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    for (const s of [child.stdout, child.stderr])
      s.on("data", (d) => {
        out += d;
        for (const line of String(d).split("\n")) if (line.trim()) process.stdout.write(`    [${label}] ${line}\n`);
      });
    child.on("exit", (code) => resolve([code, out]));
  });
}
const sql = (ct, query) => inCt(ct, `cd / && runuser -u postgres -- psql -d slipway -Atqc ${JSON.stringify(query)}`).stdout.trim();

/**
 * Pebble (Let's Encrypt's test ACME server, Debian's package) inside a test container, on loopback,
 * challenges not checked (PEBBLE_VA_ALWAYS_VALID): which names Caddy asks certificates for is decided
 * by the platform's ask endpoint, which is what the HTTPS assertions check. Its API certificate is
 * what install.sh --acme-ca-root gets.
 */
function startPebble(ct) {
  inCt(
    ct,
    `set -e
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends pebble openssl curl >/dev/null
    mkdir -p /root/pebble && cd /root/pebble
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out cert.pem -days 2 \\
      -subj "/CN=slipway test pebble" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
    echo '{"pebble":{"listenAddress":"127.0.0.1:14000","managementListenAddress":"127.0.0.1:15000","certificate":"/root/pebble/cert.pem","privateKey":"/root/pebble/key.pem","httpPort":5002,"tlsPort":5001,"ocspResponderURL":"","externalAccountBindingRequired":false}}' > config.json
    systemd-run --unit=pebble -E PEBBLE_VA_ALWAYS_VALID=1 -E PEBBLE_VA_NOSLEEP=1 -E PEBBLE_WFE_NONCEREJECT=0 /usr/bin/pebble -config /root/pebble/config.json
    for i in $(seq 1 30); do curl -fsS --cacert cert.pem https://127.0.0.1:14000/dir >/dev/null 2>&1 && exit 0; sleep 1; done
    exit 1`,
  );
}
const ACME_ARGS = "--acme-ca https://127.0.0.1:14000/dir --acme-ca-root /root/pebble/cert.pem";

/**
 * GET https://<host><path> inside the container, through Caddy on 443, verifying the certificate
 * against Pebble's issuing root: { status, body } or { error } when no TLS connection is made.
 */
function httpsGet(ct, host, pathname) {
  const r = inCt(
    ct,
    `curl -fsS --max-time 10 https://127.0.0.1:15000/roots/0 --cacert /root/pebble/cert.pem -o /root/pebble/root.pem &&
     curl -sS --max-time 20 --cacert /root/pebble/root.pem --resolve ${host}:443:127.0.0.1 -w '\\n%{http_code}' https://${host}${pathname}`,
    { allowFail: true },
  );
  if (r.status !== 0) return { error: r.stderr.trim() };
  const i = r.stdout.lastIndexOf("\n");
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}
async function waitHttps(ct, host, pathname, what, accept = (r) => r.status === 200) {
  let last;
  await waitFor(
    what,
    () => {
      last = httpsGet(ct, host, pathname);
      return accept(last) || JSON.stringify(last).slice(0, 300);
    },
    120_000,
  );
  return last;
}

/** GET through the container's Caddy (published on a loopback port) with a Host header. */
function get(port, host, pathname) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathname, headers: { host }, timeout: 15_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}
async function waitFor(what, probe, timeoutMs, intervalMs = 3000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (last === true) return;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// ------------------------------------------------------------------ fixtures on the host
function ensureSystemdImage() {
  const dockerfile = `FROM slipway/debian:bookworm
ENV container=docker DEBIAN_FRONTEND=noninteractive
# Test image only: dpkg without fsync (the shared test machine's disk is slow); install.sh does the rest.
RUN echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/unsafe-io \\
 && apt-get update -q && apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus ca-certificates \\
 && rm -rf /var/lib/apt/lists/* \\
 && systemctl mask getty@tty1.service console-getty.service systemd-udevd.service systemd-udevd-kernel.socket systemd-udevd-control.socket systemd-firstboot.service systemd-remount-fs.service sys-kernel-debug.mount sys-kernel-tracing.mount \\
 && systemctl set-default multi-user.target
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
`;
  const hash = createHash("sha256")
    .update(dockerfile)
    .update(docker("image", "inspect", "--format", "{{.Id}}", "slipway/debian:bookworm"))
    .digest("hex")
    .slice(0, 16);
  const have = run("docker", ["image", "inspect", "--format", '{{ index .Config.Labels "org.slipway.instest" }}', IMAGE], {
    allowFail: true,
  });
  if (have.status === 0 && have.stdout.trim() === hash) return;
  // Built here (a fresh machine has none): apt-get inside the build reaches Debian's mirror (~1-2 min).
  log(`building ${IMAGE} (systemd) from slipway/debian:bookworm`);
  const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}-img-`));
  try {
    writeFileSync(path.join(dir, "Dockerfile"), dockerfile);
    run("docker", ["build", "-q", "--label", `org.slipway.instest=${hash}`, "-t", IMAGE, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Node.js ≥ 20.19 as a release tarball (bin/node, bin/npm, lib/node_modules/npm), made from this machine's. */
function nodeTarball() {
  const version = process.version;
  const file = path.join(cacheDir, `node-${version}-linux-x64.tar.gz`);
  if (existsSync(file)) return file;
  const npmDir = path.resolve(
    path.dirname(
      execFileSync("readlink", ["-f", execFileSync("which", ["npm"], { encoding: "utf8" }).trim()], { encoding: "utf8" }).trim(),
    ),
    "..",
  );
  const stage = mkdtempSync(path.join(tmpdir(), `${PREFIX}-node-`));
  const top = path.join(stage, `node-${version}-linux-x64`);
  mkdirSync(path.join(top, "bin"), { recursive: true });
  mkdirSync(path.join(top, "lib", "node_modules"), { recursive: true });
  cpSync(process.execPath, path.join(top, "bin", "node"));
  cpSync(npmDir, path.join(top, "lib", "node_modules", "npm"), { recursive: true, verbatimSymlinks: true });
  run("ln", ["-s", "../lib/node_modules/npm/bin/npm-cli.js", path.join(top, "bin", "npm")]);
  run("ln", ["-s", "../lib/node_modules/npm/bin/npx-cli.js", path.join(top, "bin", "npx")]);
  run("tar", ["-C", stage, "-czf", `${file}.part-${RUN}`, path.basename(top)]);
  run("mv", [`${file}.part-${RUN}`, file]);
  rmSync(stage, { recursive: true, force: true });
  return file;
}

/** The images a server without a registry needs, exported once (keyed by their ids). */
function imagesTar() {
  const ids = docker("image", "inspect", "--format", "{{.Id}}", ...PRELOADED);
  const file = path.join(cacheDir, `images-${createHash("sha256").update(ids).digest("hex").slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    // Exports of older images go (about 1 GB each).
    for (const f of readdirSync(cacheDir).filter((n) => /^images-[0-9a-f]{16}\.tar$/.test(n)))
      rmSync(path.join(cacheDir, f), { force: true });
    run("docker", ["save", "-o", `${file}.part-${RUN}`, ...PRELOADED]);
    run("mv", [`${file}.part-${RUN}`, file]);
  }
  return file;
}

/**
 * Three versions in a git repository: A (the committed tree, with infra/ as on disk), B (A plus
 * one migration: the "newer commit"), C (B plus a migration that fails half-way).
 */
function makeVersions(mnt) {
  const repo = path.join(mnt, "src-a");
  mkdirSync(repo, { recursive: true });
  // SLIPWAY_INSTALL_TEST_REF: another commit to install (default HEAD); infra/ comes from the working tree.
  execFileSync("bash", [
    "-c",
    `git -C "$1" archive "$3" | tar -x -C "$2"`,
    "_",
    root,
    repo,
    process.env.SLIPWAY_INSTALL_TEST_REF || "HEAD",
  ]);
  rmSync(path.join(repo, "infra"), { recursive: true, force: true });
  cpSync(path.join(root, "infra"), path.join(repo, "infra"), { recursive: true });
  const git = (...args) =>
    execFileSync("git", ["-c", "user.name=Install Test", "-c", "user.email=install@slipway.test", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "version A");
  const a = git("rev-parse", "--short=12", "HEAD");
  const migration = (name, body) => {
    mkdirSync(path.join(repo, "prisma", "migrations", name), { recursive: true });
    writeFileSync(path.join(repo, "prisma", "migrations", name, "migration.sql"), body);
  };
  migration(
    "99990101000000_install_test_marker",
    'CREATE TABLE "InstallTestMarker" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "InstallTestMarker" VALUES (1);\n',
  );
  git("add", "-A");
  git("commit", "-q", "-m", "version B: one more migration");
  const b = git("rev-parse", "--short=12", "HEAD");
  git("archive", "--prefix=slipway-b/", "-o", path.join(mnt, "b.tar.gz"), "HEAD");
  migration("99990102000000_install_test_broken", 'CREATE TABLE "InstallTestBroken" ("id" INTEGER);\nSELECT 1/0;\n');
  git("add", "-A");
  git("commit", "-q", "-m", "version C: a migration that fails");
  git("archive", "--prefix=slipway-c/", "-o", path.join(mnt, "c.tar.gz"), "HEAD");
  const c = git("rev-parse", "--short=12", "HEAD");
  git("checkout", "-q", "HEAD~2");
  return { a, b, c };
}

/** A bare repository with one Odoo addon on main (the stand-in image's green_addon fixture). */
function makeShopRepo(mnt) {
  const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}-repo-`));
  const work = path.join(dir, "work");
  mkdirSync(path.join(work, "addons"), { recursive: true });
  cpSync(path.join(root, "docker/odoo-standin/fixtures/green_addon"), path.join(work, "addons", "green_addon"), {
    recursive: true,
    filter: (s) => !s.includes("__pycache__"),
  });
  const git = (cwd, ...args) =>
    execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=ada@slipway.test", ...args], { cwd, encoding: "utf8" });
  git(work, "init", "-q", "-b", "main");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "Shop: first module");
  git(dir, "clone", "-q", "--bare", work, path.join(dir, "shop.git"));
  run("tar", ["-C", dir, "-czf", path.join(mnt, "shop.git.tar.gz"), "shop.git"]);
  rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------ containers
const containers = [];
const labels = ["--label", `${RUN_LABEL}=${RUN}`, "--label", `${PID_LABEL}=${process.pid}`];
function startServer(name, mnt) {
  containers.push(name);
  docker("volume", "create", ...labels, `${name}-docker`);
  const npmCache = path.join(process.env.HOME ?? "/root", ".npm", "_cacache");
  docker(
    "run",
    "-d",
    "--name",
    name,
    "--hostname",
    name,
    ...labels,
    // Privileged minus CAP_SYS_RESOURCE, which this machine's engine cannot grant (--privileged fails here).
    "--cap-add",
    "ALL",
    "--cap-drop",
    "SYS_RESOURCE",
    "--security-opt",
    "seccomp=unconfined",
    "--security-opt",
    "apparmor=unconfined",
    "--device-cgroup-rule",
    "a *:* rwm",
    "-v",
    "/sys/fs/cgroup:/sys/fs/cgroup:ro",
    "--tmpfs",
    "/run",
    "--tmpfs",
    "/run/lock",
    "--tmpfs",
    "/tmp:exec",
    "-v",
    `${name}-docker:/var/lib/docker`,
    "-v",
    `${mnt}:/mnt/test:ro`,
    ...(existsSync(npmCache) ? ["-v", `${npmCache}:/mnt/npm-cache:ro`] : []),
    "-p",
    "127.0.0.1::80",
    "-p",
    "127.0.0.1::443",
    IMAGE,
  );
  // Boot finished (systemd-tmpfiles has set /tmp up, units started) before anything runs inside.
  inCt(
    name,
    "for i in $(seq 1 60); do case $(systemctl is-system-running 2>/dev/null) in running|degraded) exit 0;; esac; sleep 1; done; exit 1",
  );
  const port = {
    http: Number(docker("port", name, "80/tcp").split(":").pop()),
    https: Number(docker("port", name, "443/tcp").split(":").pop()),
  };
  // This machine reaches the npm registry through an HTTPS proxy with its own CA: the container
  // trusts it the way a server behind such a proxy would (system store; install.sh points npm at it).
  inCt(name, "cp /mnt/test/ca/*.crt /usr/local/share/ca-certificates/ 2>/dev/null; update-ca-certificates >/dev/null");
  // npm's cache of this machine, so that npm ci inside does not download 1 GB again (it still asks the registry).
  inCt(
    name,
    "if [ -d /mnt/npm-cache ]; then mkdir -p /root/.npm/_cacache && (tar -C /mnt/npm-cache --exclude=./tmp -c . | tar -x -C /root/.npm/_cacache) 2>/dev/null || true; fi",
  );
  return port;
}
/** Removes the containers, volumes and folder of run `id` (labelled; whatever state they are in). */
function removeRun(id) {
  const ls = (what) =>
    run("docker", [what, "ls", ...(what === "container" ? ["-a"] : []), "-q", "--filter", `label=${RUN_LABEL}=${id}`], {
      allowFail: true,
      timeout: 60_000,
    })
      .stdout.split("\n")
      .filter(Boolean);
  const cts = ls("container");
  if (cts.length) run("docker", ["rm", "-f", "-v", ...cts], { allowFail: true, timeout: 300_000 });
  const vols = ls("volume");
  if (vols.length) run("docker", ["volume", "rm", "-f", ...vols], { allowFail: true, timeout: 300_000 });
  rmSync(path.join(tmpdir(), `${PREFIX}-${id}-mnt`), { recursive: true, force: true });
  return cts.length + vols.length;
}
/** Earlier runs whose process is gone (killed, machine rebooted mid-run): their leftovers go. */
function reapStale() {
  const rows = run(
    "docker",
    ["ps", "-a", "--filter", `label=${RUN_LABEL}`, "--format", `{{.Label "${RUN_LABEL}"}} {{.Label "${PID_LABEL}"}}`],
    {
      allowFail: true,
      timeout: 60_000,
    },
  ).stdout;
  for (const [id, pid] of [...new Set(rows.split("\n").filter(Boolean))].map((r) => r.split(" "))) {
    const alive = existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("test-install");
    if (id !== RUN && !alive) log(`removed ${removeRun(id)} containers/volumes left by run ${id} (process ${pid} gone)`);
  }
}
let cleanedUp = false;
function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (KEEP) return log(`kept: ${containers.join(", ")} (node scripts/test-install.mjs --cleanup ${RUN})`);
  log(`cleaning up run ${RUN}: ${removeRun(RUN)} containers/volumes removed`);
}

// ------------------------------------------------------------------ browser
/**
 * A forward proxy on loopback that sends every connection to the container's published ports
 * (CONNECT → its 443, plain requests → its 80): Chromium then browses https://panel.slipway.test/,
 * the very URL SLIPWAY_PUBLIC_URL names.
 */
function startProxy(port) {
  const server = http.createServer((req, res) => {
    const up = http.request(
      {
        host: "127.0.0.1",
        port: port.http,
        method: req.method,
        path: new URL(req.url).pathname + new URL(req.url).search,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.on("connect", (req, client, head) => {
    const up = net.connect(port.https, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
async function withBrowser(port, fn) {
  const proxy = await startProxy(port);
  const browser = await chromium.launch({
    // In a network namespace of its own: the proxy's port is relayed into it (ERR_NETWORK_CHANGED otherwise).
    executablePath: path.join(root, "e2e", "support", "chromium-netns.mjs"),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--proxy-server=http://127.0.0.1:${proxy.address().port}`,
      // Pebble's root is not in Chromium's store; curl inside the containers checks the certificates.
      "--ignore-certificate-errors",
    ],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(120_000);
    try {
      return await fn(page);
    } catch (e) {
      // What the page said (a form error, a server error) next to Playwright's timeout.
      const text = await page
        .locator("body")
        .innerText({ timeout: 5_000 })
        .catch(() => "");
      log(`the page at ${page.url()} shows:\n${text.slice(0, 1500)}`);
      if (e instanceof Error) e.message += `\n(page: ${text.slice(0, 300)})`;
      throw e;
    }
  } finally {
    await browser.close();
    proxy.close();
  }
}
/**
 * withBrowser, again (at most 3 times) when Chromium dropped a request because the host's network
 * interfaces changed: containers of other tests starting on the same engine (ERR_NETWORK_CHANGED).
 * `fn` must be safe to run again.
 */
async function browse(port, fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withBrowser(port, fn);
    } catch (e) {
      if (attempt >= 3 || !/ERR_NETWORK_CHANGED/.test(String(e?.message))) throw e;
      log(`Chromium saw the host's network change (attempt ${attempt}): again`);
    }
  }
}
async function logIn(page, password) {
  await page.goto(`https://${DOMAIN}/login`);
  await page.getByLabel("Login").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/projects$/);
}

// ------------------------------------------------------------------ the test
if (opts.cleanup) {
  log(`run ${RUN}: ${removeRun(RUN)} containers/volumes removed`);
  process.exit(0);
}
function finish(failed) {
  const seconds = Math.round((Date.now() - t0) / 1000);
  console.log(`\n[test-install] ${failed ? "FAILED" : "passed"} in ${seconds} s (${passed} assertions passed)`);
  for (const [name, s] of timings) console.log(`  ${s.toFixed(0).padStart(5)} s  ${name}`);
  if (opts.report) writeFileSync(opts.report, JSON.stringify({ passed, failed: failed ? 1 : 0, seconds, steps: timings }, null, 2) + "\n");
  process.exit(failed ? 1 : 0);
}
// Stopped (Ctrl-C, npm test's deadline) or out of time: the containers go all the same.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(sig, () => {
    console.error(`\n[test-install] ${sig}: stopping`);
    cleanup();
    finish(true);
  });
setTimeout(() => {
  console.error(`\n[test-install] FAILED: over the time limit (${TIMEOUT_S} s)`);
  cleanup();
  finish(true);
}, TIMEOUT_S * 1000).unref();

const installArgs = `--node-tarball /mnt/test/node.tar.gz --images /mnt/test/images.tar`;
/** The release folder the web and worker processes run from (their working directories, symlinks resolved). */
const runningReleases = (ct) =>
  inCt(ct, "for u in slipway-web slipway-worker; do readlink /proc/$(systemctl show -p MainPID --value $u)/cwd; done")
    .stdout.trim()
    .split("\n")
    .map((d) => d.replace(/\/apps\/(web|worker)$/, ""));
/** A digest of the rows written before an upgrade that no upgrade may change: projects, builds, users (with password hashes). */
const FINGERPRINT = [
  `SELECT count(*) || ':' || md5(string_agg(x, '|' ORDER BY x)) FROM (`,
  `SELECT 'p' || id || slug || name || "repoUrl" || "webhookSecretEnc" AS x FROM "Project"`,
  `UNION ALL SELECT 'b' || id || number || revision || coalesce("databaseName", '') || coalesce(hostname, '') FROM "Build"`,
  `UNION ALL SELECT 'u' || id || login || coalesce("passwordHash", '') FROM "User") t`,
].join(" ");
let failed = false;
try {
  reapStale();
  mkdirSync(cacheDir, { recursive: true });
  rmSync(mnt, { recursive: true, force: true });
  mkdirSync(mnt, { recursive: true });
  const versions = await step("fixtures: systemd image, versions A/B/C, Node tarball, images, repository", () => {
    ensureSystemdImage();
    const versions = makeVersions(mnt);
    run("ln", ["-f", nodeTarball(), path.join(mnt, "node.tar.gz")]);
    run("ln", ["-f", imagesTar(), path.join(mnt, "images.tar")]);
    makeShopRepo(mnt);
    mkdirSync(path.join(mnt, "ca"));
    // The machine's own CAs (an HTTPS proxy's in front of the npm registry), when it has any.
    const cas = "/usr/local/share/ca-certificates";
    for (const f of existsSync(cas) ? readdirSync(cas).filter((n) => n.endsWith(".crt")) : [])
      cpSync(path.join(cas, f), path.join(mnt, "ca", f));
    return versions;
  });
  log(`versions: A ${versions.a}, B ${versions.b}, C ${versions.c}`);

  const A = `${PREFIX}-${RUN}-a`;
  const portA = await step("fresh Debian 12 container A (systemd PID 1, own dockerd)", () => startServer(A, mnt));
  assert(inCt(A, "readlink /proc/1/exe").stdout.includes("systemd"), "systemd is PID 1 in A");
  await step("Pebble (test ACME server) on A's loopback", () => startPebble(A));

  const [code, out] = await step("install.sh on A", () =>
    inCtLive(
      A,
      `set -e; cp -a /mnt/test/src-a /root/slipway && cd /root/slipway && npm_config_prefer_offline=true infra/install.sh --domain ${DOMAIN} --email ${ADMIN_EMAIL} ${ACME_ARGS} ${installArgs} --odoo-image 'slipway/odoo-standin:{version}' --local-repos /srv/repos`,
      "install A",
    ),
  );
  assert(code === 0, "install.sh exits 0");
  const password = /Password:\s+(\S+)/.exec(out)?.[1] ?? "";
  assert(
    out.includes(`Control panel:  https://${DOMAIN}`) && password.length >= 12,
    "install.sh prints the URL and the first login's password",
  );

  await step("A: services and configuration", async () => {
    const units = ["slipway-web", "slipway-worker", "caddy", "postgresql", "redis-server", "docker"];
    assert(
      inCt(A, `systemctl is-active ${units.join(" ")}`, { allowFail: true })
        .stdout.trim()
        .split("\n")
        .every((s) => s === "active"),
      `units active: ${units.join(", ")}`,
    );
    assert(
      inCt(A, "systemctl is-enabled slipway-web slipway-worker slipway-self-backup.timer")
        .stdout.trim()
        .split("\n")
        .every((s) => s === "enabled"),
      "web, worker and the self-backup timer are enabled",
    );
    assert(
      /\S+ \S+ \S+ .*slipway-self-backup\.timer\s+slipway-self-backup\.service/.test(
        inCt(A, "systemctl list-timers --no-pager --no-legend slipway-self-backup.timer").stdout,
      ),
      "systemctl list-timers shows the self-backup timer with its next run",
    );
    const releasesA = runningReleases(A);
    assert(
      releasesA.length === 2 && releasesA.every((d) => d === releasesA[0] && d.endsWith(`-${versions.a}`)),
      `web and worker run version A's release (${path.basename(releasesA[0] ?? "")})`,
    );
    assert(inCt(A, "stat -c '%a %U' /etc/slipway/env").stdout.trim() === "600 root", "/etc/slipway/env is 0600 root");
    const env = inCt(A, "cat /etc/slipway/env").stdout;
    assert(
      /^SLIPWAY_ENCRYPTION_KEY=[A-Za-z0-9+/]{43}=$/m.test(env) && /^SLIPWAY_SESSION_SECRET=[0-9a-f]{64}$/m.test(env),
      "generated secrets in the env file",
    );
    assert(
      inCt(A, "for u in slipway-web slipway-worker; do stat -c %U /proc/$(systemctl show -p MainPID --value $u); done").stdout.trim() ===
        "slipway\nslipway",
      "web and worker run as the slipway user",
    );
    assert(
      inCt(
        A,
        "curl -fsS --max-time 5 http://127.0.0.1:20190/config/ >/dev/null && ! curl -fsS --max-time 5 http://$(hostname -I | cut -d' ' -f1):20190/config/",
        {
          allowFail: true,
        },
      ).status === 0,
      "Caddy's admin API answers on loopback only",
    );
    await waitHttps(A, DOMAIN, "/api/health", "the panel over HTTPS", (r) => r.status === 200 && /"worker":\{"ok":true/.test(r.body));
    assert(true, `the panel answers at https://${DOMAIN} with a certificate from the ACME server (health 200, worker heartbeat)`);
    const plain = await get(portA.http, DOMAIN, "/api/health");
    assert(plain.status === 308, "plain HTTP redirects to HTTPS");
    const other = httpsGet(A, "unknown.slipway.test", "/");
    assert(other.error !== undefined, `a host name that belongs to nothing gets no certificate (${(other.error ?? "").slice(0, 80)})`);
    const again = inCt(A, `cd /root/slipway && infra/install.sh ${installArgs} 2>&1`);
    assert(
      again.stdout.includes("already installed") && inCt(A, "cat /etc/slipway/env").stdout === env,
      "install.sh again: no rebuild, same configuration and secrets",
    );
  });

  const slug = "shop";
  let buildHost = "";
  await step("A: a project created in Chromium builds green and is served", async () => {
    inCt(A, "tar -xzf /mnt/test/shop.git.tar.gz -C /srv/repos && chown -R slipway:slipway /srv/repos/shop.git");
    await browse(portA, async (page) => {
      await logIn(page, password);
      // An earlier attempt created it and lost only the redirect.
      if (sql(A, `SELECT count(*) FROM "Project" WHERE slug = '${slug}'`) === "1") return;
      await page.goto(`https://${DOMAIN}/projects/new`);
      await page.getByLabel("Name").fill("Shop");
      await page.getByLabel("Project slug").fill(slug);
      await page.getByLabel("Repository URL").fill("/srv/repos/shop.git");
      await page.getByLabel("Odoo version").selectOption("17.0");
      await page.getByLabel("Odoo image").fill("slipway/odoo-standin:17.0");
      await page.getByRole("button", { name: "Create project" }).click();
      await page.waitForURL(new RegExp(`/projects/${slug}$`));
    });
    let state = "";
    await waitFor(
      "a green build of main",
      () => {
        state = sql(
          A,
          `SELECT b.state || '/' || coalesce(b.result::text, '-') FROM "Build" b JOIN "Project" p ON p.id = b."projectId" WHERE p.slug = '${slug}' ORDER BY b.number DESC LIMIT 1`,
        );
        if (/^(failed|cancelled|stopped)\//.test(state) || state.endsWith("/red")) throw new Error(`build ended ${state}`);
        return state === "running/green" || state;
      },
      480_000,
    );
    assert(state === "running/green", "the first build of main is running and green");
    const routes = JSON.parse(inCt(A, "curl -fsS http://127.0.0.1:20190/config/apps/http/servers/slipway/routes").stdout);
    buildHost =
      routes
        .flatMap((r) => r.match ?? [])
        .flatMap((m) => m.host ?? [])
        .find((h) => h.startsWith(`${slug}`)) ?? "";
    assert(buildHost.endsWith(`.${DOMAIN}`), `the build has a Caddy route (${buildHost})`);
    await waitHttps(A, buildHost, "/web/login", "the build over HTTPS");
    assert(true, `the build answers at https://${buildHost} through Caddy with its own certificate`);
  });

  let releaseB = "";
  await step("upgrade.sh A → B (a newer commit with one more migration)", async () => {
    const before = inCt(A, "readlink -f /opt/slipway/current").stdout.trim();
    const data = sql(A, FINGERPRINT);
    assert(Number(data.split(":")[0]) >= 3, `data written before the upgrade (${data.split(":")[0]} rows of projects, builds, users)`);
    const audit = Number(sql(A, 'SELECT count(*) FROM "AuditEntry"'));
    const [c] = await inCtLive(A, "npm_config_prefer_offline=true /opt/slipway/current/infra/upgrade.sh /mnt/test/b.tar.gz", "upgrade B");
    assert(c === 0, "upgrade.sh exits 0");
    releaseB = inCt(A, "readlink -f /opt/slipway/current").stdout.trim();
    assert(
      releaseB !== before && path.basename(releaseB).endsWith(`-${versions.b}`),
      `current is version B's release (${path.basename(releaseB)}, commit ${versions.b} from the tarball)`,
    );
    const running = runningReleases(A);
    assert(running.length === 2 && running.every((d) => d === releaseB), "the web and worker processes run from version B's release");
    assert(sql(A, 'SELECT count(*) FROM "InstallTestMarker"') === "1", "the new version's migration ran");
    assert(sql(A, FINGERPRINT) === data, "projects, builds and users (password hashes) are unchanged by the upgrade");
    assert(Number(sql(A, 'SELECT count(*) FROM "AuditEntry"')) >= audit && audit > 0, `the audit log is kept (${audit} entries before)`);
    await waitHttps(
      A,
      DOMAIN,
      "/api/health",
      "the panel after the upgrade",
      (r) => r.status === 200 && /"worker":\{"ok":true/.test(r.body),
    );
    assert(true, "the panel and the worker answer after the upgrade");
    await waitHttps(A, buildHost, "/web/login", "the build after the upgrade");
    assert(true, "the build still answers after the upgrade");
  });

  await step("upgrade.sh B → C (a failing migration) rolls back", async () => {
    const data = sql(A, FINGERPRINT);
    const [c, out] = await inCtLive(
      A,
      "npm_config_prefer_offline=true /opt/slipway/current/infra/upgrade.sh /mnt/test/c.tar.gz",
      "upgrade C",
    );
    assert(c !== 0 && out.includes("ROLLING BACK"), "upgrade.sh fails and says it rolls back");
    assert(
      out.includes(`-${versions.c}`) && !inCt(A, "readlink -f /opt/slipway/current").stdout.includes(versions.c),
      `version C (${versions.c}) was prepared, then left`,
    );
    assert(inCt(A, "readlink -f /opt/slipway/current").stdout.trim() === releaseB, "version B's release is current again");
    const running = runningReleases(A);
    assert(running.length === 2 && running.every((d) => d === releaseB), "the web and worker processes run version B again");
    assert(
      sql(A, "SELECT count(*) FROM pg_tables WHERE tablename = 'InstallTestBroken'") === "0",
      "the failed migration's changes are gone (database from the pre-upgrade dump)",
    );
    assert(
      sql(A, "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL OR migration_name LIKE '%install_test_broken'") === "0",
      "no failed migration left in the migrations table",
    );
    assert(sql(A, 'SELECT count(*) FROM "InstallTestMarker"') === "1", "version B's migration and row are still there");
    assert(sql(A, FINGERPRINT) === data, "projects, builds and users are as before the failed upgrade");
    await waitHttps(
      A,
      DOMAIN,
      "/api/health",
      "the panel after the rollback",
      (r) => r.status === 200 && /"worker":\{"ok":true/.test(r.body),
    );
    assert(true, "the panel and the worker answer after the rollback");
  });

  const backupName = await step("self-backup on A (the daily unit, run now)", () => {
    inCt(A, "systemctl start slipway-self-backup.service");
    const name = inCt(A, "ls /var/backups/slipway | grep '^slipway-state-.*\\.tar\\.gz$' | tail -n1").stdout.trim();
    assert(/^slipway-state-\d{8}T\d{6}Z\.tar\.gz$/.test(name), `an archive was written (${name})`);
    const listing = inCt(A, `tar -tzf /var/backups/slipway/${name}`).stdout;
    assert(
      ["control-plane.dump", "env", "state.tar", "backup-store-index.tsv", "manifest.json"].every((f) => listing.includes(`./${f}`)),
      "it holds the dump, env, state, store index and manifest",
    );
    assert(inCt(A, `stat -c %a /var/backups/slipway/${name}`).stdout.trim() === "600", "the archive is 0600");
    const manifest = JSON.parse(inCt(A, `tar -xzOf /var/backups/slipway/${name} ./manifest.json`).stdout);
    assert(manifest.release === path.basename(releaseB), `its manifest names the running release (${manifest.release})`);
    const restoreDir = path.join(mnt, "restore");
    mkdirSync(restoreDir, { recursive: true });
    run("docker", ["cp", `${A}:/var/backups/slipway/${name}`, path.join(restoreDir, name)]);
    return name;
  });
  const envA = inCt(A, "cat /etc/slipway/env").stdout;

  const B = `${PREFIX}-${RUN}-b`;
  const portB = await step("fresh Debian 12 container B", () => startServer(B, mnt));
  await step("Pebble on B", () => startPebble(B));
  await step("restore.sh on B from A's self-backup", async () => {
    const [c] = await inCtLive(
      B,
      `set -e; mkdir -p /root/slipway && tar -xzf /mnt/test/b.tar.gz -C /root/slipway --strip-components=1 && echo ${versions.b} > /root/slipway/.slipway-release && cd /root/slipway && npm_config_prefer_offline=true infra/restore.sh /mnt/test/restore/${backupName} ${ACME_ARGS} ${installArgs}`,
      "restore B",
    );
    assert(c === 0, "restore.sh exits 0");
    assert(inCt(B, "cat /etc/slipway/env").stdout === envA, "B has A's configuration and secrets");
    assert(sql(B, `SELECT name FROM "Project" WHERE slug = '${slug}'`) === "Shop", "the project is back on B");
    assert(sql(B, 'SELECT count(*) FROM "InstallTestMarker"') === "1", "B's control plane is A's (version B's table and row)");
    assert(
      inCt(B, "systemctl is-active slipway-web slipway-worker slipway-self-backup.timer").stdout.trim() === "active\nactive\nactive",
      "web, worker and the self-backup timer active on B",
    );
    assert(
      runningReleases(B).every((d) => path.basename(d).endsWith(`-${versions.b}`)),
      `B runs version B (${versions.b}), the one it was restored with`,
    );
    await waitHttps(B, DOMAIN, "/api/health", "B's panel over HTTPS", (r) => r.status === 200 && /"worker":\{"ok":true/.test(r.body));
    assert(true, `B's panel answers at https://${DOMAIN} (certificate from B's ACME server)`);
    await browse(portB, async (page) => {
      await logIn(page, password);
      await page.goto(`https://${DOMAIN}/projects/${slug}`);
      await page.getByText("Shop").first().waitFor();
    });
    assert(true, "A's admin logs in on B with A's password and sees the project");
  });
} catch (e) {
  failed = true;
  console.error(`\n[test-install] FAILED: ${e.stack ?? e}`);
  for (const c of containers) {
    const j = run("docker", ["exec", c, "journalctl", "-u", "slipway-web", "-u", "slipway-worker", "-n", "40", "--no-pager"], {
      allowFail: true,
    });
    console.error(`--- ${c}: last service logs\n${j.stdout}`);
  }
} finally {
  cleanup();
}
finish(failed);
