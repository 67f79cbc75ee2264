#!/usr/bin/env node
// Debian's Chromium in a network namespace of its own, for the browser tests (Playwright's
// executablePath). Chromium on Linux watches the host's network interfaces and drops navigations
// and requests in flight whenever an address appears or goes (ERR_NETWORK_CHANGED); Docker adds and
// removes interfaces all the time on a machine that runs builds (a veth per container, a bridge per
// network), so browser tests failed at random. In its own namespace Chromium sees only a loopback
// that never changes; its traffic reaches the host through a relay over a Unix socket:
//  - by default a SOCKS5 proxy (Chromium's --proxy-server, loopback included), which resolves
//    names as --host-resolver-rules says (MAP rules), *.localhost to 127.0.0.1, others by DNS;
//  - when the caller gives --proxy-server=http://127.0.0.1:<port> (a proxy of its own), that port,
//    opened in the namespace and forwarded to the same port on the host.
// Falls back to plain Chromium when the namespace cannot be made (not root).
//   usage: chromium-netns.mjs <chromium arguments>   (as Playwright calls a browser)
import { spawn, spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CHROMIUM = process.env.SLIPWAY_CHROMIUM ?? "/usr/bin/chromium";
const self = fileURLToPath(import.meta.url);
/** fds 3 and 4 are Playwright's --remote-debugging-pipe: passed through as they are. */
const stdio = ["inherit", "inherit", "inherit", 3, 4];

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** Both ways between two sockets; one failing ends the other. */
function splice(a, b) {
  a.pipe(b).pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
}

const fixedPort = (args) => {
  const m = args.map((a) => /^--proxy-server=http:\/\/127\.0\.0\.1:(\d+)$/.exec(a)).find(Boolean);
  return m ? Number(m[1]) : null;
};

if (process.argv[2] === "--inner") {
  // In the new namespace: loopback up, a local port relayed to the host's socket, then Chromium.
  const [, , , socket, ...args] = process.argv;
  // Loopback, and one quiet interface with an address so that Chromium counts itself online
  // (navigator.onLine; with loopback alone it is offline). Nothing changes them afterwards.
  const ip = (...a) => spawnSync("ip", a, { stdio: "inherit" }).status === 0;
  // No IPv6 link-local addresses on it: they would appear (after duplicate address detection)
  // while Chromium runs, a network change.
  writeFileSync("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  const ok =
    ip("link", "set", "lo", "up") &&
    ip("link", "add", "online0", "type", "veth", "peer", "name", "online1") &&
    ip("address", "add", "192.0.2.1/32", "dev", "online0") &&
    ip("link", "set", "online1", "up") &&
    ip("link", "set", "online0", "up");
  if (!ok) process.exit(1);
  const port = fixedPort(args);
  const relay = net.createServer((c) => splice(c, net.connect(socket)));
  await new Promise((resolve) => relay.listen(port ?? 0, "127.0.0.1", resolve));
  const proxy = port ? [] : [`--proxy-server=socks5://127.0.0.1:${relay.address().port}`, "--proxy-bypass-list=<-loopback>"];
  const code = await run(CHROMIUM, [...proxy, ...args]);
  process.exit(code);
}

const args = process.argv.slice(2);
if (spawnSync("unshare", ["--net", "true"]).status !== 0) {
  process.stderr.write("chromium-netns: no network namespace (not root?): Chromium runs on the host's network\n");
  process.exit(await run(CHROMIUM, args));
}

// On the host: where the relay's connections go.
const rules = args
  .filter((a) => a.startsWith("--host-resolver-rules="))
  .flatMap((a) => a.slice("--host-resolver-rules=".length).split(","))
  .map((r) => r.trim().split(/\s+/))
  .filter((r) => r[0] === "MAP" && r.length === 3)
  .map(([, pattern, target]) => ({
    re: new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i"),
    target,
  }));

async function resolve(host) {
  if (net.isIP(host)) return host;
  const rule = rules.find((r) => r.re.test(host));
  if (rule) return rule.target;
  if (host === "localhost" || host.endsWith(".localhost")) return "127.0.0.1";
  return (await lookup(host)).address;
}

/** One SOCKS5 connection (no authentication, CONNECT only). */
function socks(client) {
  let buf = Buffer.alloc(0);
  let stage = "greeting";
  const onData = async (d) => {
    buf = Buffer.concat([buf, d]);
    if (stage === "greeting") {
      if (buf.length < 2 || buf.length < 2 + buf[1]) return;
      buf = buf.subarray(2 + buf[1]);
      client.write(Buffer.from([5, 0]));
      stage = "request";
    }
    if (stage !== "request" || buf.length < 5) return;
    const atyp = buf[3];
    const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + buf[4] : -1;
    if (addrLen < 0 || buf[1] !== 1) return client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
    if (buf.length < 4 + addrLen + 2) return;
    stage = "connecting";
    client.off("data", onData);
    const raw = buf.subarray(4, 4 + addrLen);
    const host = atyp === 1 ? [...raw].join(".") : atyp === 3 ? raw.subarray(1).toString("latin1") : ipv6(raw);
    const port = buf.readUInt16BE(4 + addrLen);
    const rest = buf.subarray(4 + addrLen + 2);
    let address;
    try {
      address = await resolve(host);
    } catch {
      return client.end(Buffer.from([5, 4, 0, 1, 0, 0, 0, 0, 0, 0]));
    }
    const upstream = net.connect(port, address, () => {
      client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (rest.length) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
    upstream.on("error", () => (upstream.connecting ? client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])) : client.destroy()));
    client.on("error", () => upstream.destroy());
  };
  client.on("data", onData);
  client.on("error", () => undefined);
}

function ipv6(raw) {
  const parts = [];
  for (let i = 0; i < 16; i += 2) parts.push(raw.readUInt16BE(i).toString(16));
  return parts.join(":");
}

const dir = mkdtempSync(path.join(tmpdir(), "slipway-chromium-"));
const socket = path.join(dir, "relay.sock");
const port = fixedPort(args);
const server = net.createServer(port ? (c) => splice(c, net.connect(port, "127.0.0.1")) : socks);
await new Promise((r) => server.listen(socket, r));
const code = await run("unshare", ["--net", "--", process.execPath, self, "--inner", socket, ...args]);
server.close();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
