// Test support: Pebble, Let's Encrypt's test ACME server (Debian package `pebble`), on loopback on
// ports of its own. Domain validation is switched off (PEBBLE_VA_ALWAYS_VALID=1: no challenge
// server needed), so any name Caddy asks for is issued — which name Caddy asks for is what the
// tests check. Pebble's API is HTTPS only: a throwaway certificate for 127.0.0.1 is made with
// openssl; its PEM (`apiCaFile`) is what Caddy must trust for the ACME connection
// (SLIPWAY_ACME_CA_ROOT). The root that signs issued certificates is generated at every start and
// read from Pebble's management API (`rootPem`).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface Pebble {
  /** ACME directory URL (https://127.0.0.1:<port>/dir). */
  directoryUrl: string;
  /** PEM file to trust for Pebble's own HTTPS (the ACME and management APIs). */
  apiCaFile: string;
  /** Pebble's issuing root (PEM): issued chains verify against it. */
  rootPem: string;
  intermediatePem: string;
  /** Pebble's output (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, timeout: 5_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("timeout", function (this: { destroy(e: Error): void }) {
        this.destroy(new Error(`timeout fetching ${url}`));
      })
      .on("error", reject);
  });
}

/** Starts Pebble (`pebble` on PATH); `stop()` ends it and removes its folder. */
export async function startPebble(): Promise<Pebble> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-pebble-"));
  const cert = path.join(dir, "api-cert.pem");
  const key = path.join(dir, "api-key.pem");
  await exec("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=slipway test pebble",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  const [port, managementPort, httpPort, tlsPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  const config = path.join(dir, "pebble-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: cert,
        privateKey: key,
        httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const logFile = path.join(dir, "pebble.log");
  const fd = openSync(logFile, "a");
  const child: ChildProcess = spawn("pebble", ["-config", config], {
    stdio: ["ignore", fd, fd],
    // No challenge is checked; no random sleeps; every nonce is accepted (no retries to wait for).
    // (Without PATH, the program is looked up in /usr/bin:/bin, where Debian installs it.)
    env: { PEBBLE_VA_ALWAYS_VALID: "1", PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
  });
  const log = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ca = readFileSync(cert, "utf8");
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pebble exited (${child.exitCode}):\n${log()}`);
      const ok = await httpsGet(directoryUrl, ca).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`pebble did not answer at ${directoryUrl}:\n${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const management = `https://127.0.0.1:${managementPort}`;
    const root = await httpsGet(`${management}/roots/0`, ca);
    const intermediate = await httpsGet(`${management}/intermediates/0`, ca);
    if (root.status !== 200 || intermediate.status !== 200)
      throw new Error(`pebble's management API: ${root.status} ${intermediate.status}`);
    return { directoryUrl, apiCaFile: cert, rootPem: root.body, intermediatePem: intermediate.body, log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
