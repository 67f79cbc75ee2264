import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Client, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig, parseSshPublicKey, sshCommandFor, sshHostKeyFile } from "@slipway/config";
import { addSshKey, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createAndStart, removeContainers } from "@slipway/docker";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";
import { loadOrCreateHostKey } from "./ssh-host-key";
import { startSshServer, type SshServer } from "./ssh-server";

// SSH to builds against real PostgreSQL, Redis and Docker: stand-in Odoo containers play the
// builds' servers, keys are added through the profile's repository, and the client is the
// system's OpenSSH (`ssh`) when there is one, else the ssh2 client.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const TEST_LABEL = { test: "ssh-server" };
const hasOpenSsh = (() => {
  try {
    execFileSync("ssh", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let server: SshServer;
let idleServer: SshServer;
let home: string;
let projectId = "";
const builds = { development: "", production: "" };
const databaseName = `sshdb_${randomBytes(3).toString("hex")}`;
const users = { developer: "", admin: "" };
const keyFiles = { developer: "", admin: "", stranger: "" };

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Writes a fresh Ed25519 key pair (OpenSSH format, 0600); returns the private key's path and the public line. */
function newKey(name: string): { file: string; publicLine: string; privateKey: string } {
  const pair = utils.generateKeyPairSync("ed25519", { comment: `${name}@laptop` });
  const file = join(home, `id_${name}`);
  writeFileSync(file, pair.private, { mode: 0o600 });
  return { file, publicLine: pair.public, privateKey: pair.private };
}

/** `ssh -i <key> -p <port> <build>@127.0.0.1 [command]`, stdin written then closed (or kept open). */
function ssh(
  s: SshServer,
  options: { key: string; build: string; command?: string; tty?: boolean; input?: string; keepOpen?: boolean; agent?: boolean },
): Promise<Outcome> {
  if (!hasOpenSsh) return sshViaLibrary(s, options);
  const args = [
    "-F",
    "/dev/null",
    "-i",
    options.key,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-p",
    String(s.port),
    ...(options.tty ? ["-tt"] : ["-T"]),
    ...(options.agent ? ["-A", "-o", "SendEnv=LC_ALL"] : []),
    `${options.build}@127.0.0.1`,
    ...(options.command === undefined ? [] : [options.command]),
  ];
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
    if (options.agent) env.SSH_AUTH_SOCK = join(home, "agent.sock");
    const child = spawn("ssh", args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ssh timed out; stdout: ${stdout}; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    if (options.input !== undefined) child.stdin.write(options.input);
    if (!options.keepOpen) child.stdin.end();
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The same through the ssh2 client (machines without OpenSSH). */
function sshViaLibrary(
  s: SshServer,
  options: { key: string; build: string; command?: string; tty?: boolean; input?: string; keepOpen?: boolean },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const client = new Client();
    let stdout = "";
    let stderr = "";
    client.on("error", (error) => resolve({ code: 255, stdout, stderr: `${stderr}${error.message}` }));
    client.on("ready", () => {
      const onChannel = (error: Error | undefined, channel: import("ssh2").ClientChannel) => {
        if (error) return resolve({ code: 255, stdout, stderr: error.message });
        let code: number | null = null;
        channel.on("exit", (c: number | null) => (code = c));
        channel.on("data", (d: Buffer) => (stdout += d.toString()));
        channel.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        channel.on("close", () => {
          client.end();
          resolve({ code, stdout, stderr });
        });
        if (options.input !== undefined) channel.write(options.input);
        if (!options.keepOpen) channel.end();
      };
      const pty = options.tty ? { rows: 24, cols: 80, term: "xterm" } : false;
      if (options.command === undefined) client.shell(pty || false, onChannel);
      else client.exec(options.command, { pty }, onChannel);
    });
    client.connect({
      host: "127.0.0.1",
      port: s.port,
      username: options.build,
      privateKey: readKey(options.key),
    });
  });
}

const privateKeys = new Map<string, string>();
const readKey = (file: string) => privateKeys.get(file)!;

async function auditRows(action: string, buildId: string) {
  return prisma.auditEntry.findMany({ where: { action, target: `build:${buildId}` }, orderBy: { createdAt: "asc" } });
}

async function startBuild(stage: "development" | "production", branchName: string): Promise<string> {
  const branch = await prisma.branch.create({
    data: { projectId, name: branchName, stage, productionSlot: stage === "production" ? true : null },
  });
  const buildId = randomUUID();
  const containerName = `slipway-test-ssh-${randomBytes(3).toString("hex")}`;
  await createAndStart({
    docker: deps.docker,
    spec: {
      name: containerName,
      image,
      entrypoint: ["sleep"],
      cmd: ["infinity"],
      labels: { role: "odoo-server", build: buildId, project: projectId, ...TEST_LABEL },
    },
  });
  await prisma.build.create({
    data: {
      id: buildId,
      projectId,
      branchId: branch.id,
      number: stage === "production" ? 1 : 2,
      stage,
      revision: "c".repeat(40),
      state: "running",
      inProgressSlot: null,
      containerName,
      databaseName: stage === "production" ? `${databaseName}_prod` : databaseName,
    },
  });
  return buildId;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "slipway-ssh-"));
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  for (const role of ["developer", "admin"] as const)
    users[role] = (await prisma.user.create({ data: { login: `ssh-${role}-${randomBytes(2).toString("hex")}` } })).id;
  const project = await insertProject(prisma, {
    slug: `ssh${randomBytes(3).toString("hex")}`,
    name: "SSH",
    repoUrl: "/nowhere",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: image,
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret("s", config.encryptionKey),
    creatorId: users.admin,
  });
  projectId = project.id;
  // The creator is the project's admin; the developer is added.
  await prisma.collaborator.create({ data: { projectId, userId: users.developer, role: "developer" } });
  builds.production = await startBuild("production", "main");
  builds.development = await startBuild("development", "feature");
  for (const who of ["developer", "admin", "stranger"] as const) {
    const key = newKey(who);
    keyFiles[who] = key.file;
    privateKeys.set(key.file, key.privateKey);
    if (who === "stranger") continue;
    const parsed = parseSshPublicKey(key.publicLine);
    const added = await addSshKey(prisma, {
      userId: users[who],
      title: parsed.comment ?? who,
      publicKey: parsed.publicKey,
      fingerprint: parsed.fingerprint,
      keyType: parsed.type,
      ip: null,
    });
    expect(added).toHaveProperty("added");
  }
  const hostKey = loadOrCreateHostKey(home).privateKey;
  server = await startSshServer({ deps, host: "127.0.0.1", port: 0, hostKey });
  idleServer = await startSshServer({ deps, host: "127.0.0.1", port: 0, hostKey, idleMs: 600 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await idleServer?.close();
  if (deps) {
    await removeContainers({ docker: deps.docker, labels: TEST_LABEL }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
  }
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe(`ssh <build id>@<host> (client: ${hasOpenSsh ? "OpenSSH" : "ssh2"})`, () => {
  it("runs a developer's command inside the development build's container, with the web shell's environment, user and exit status", async () => {
    const r = await ssh(server, {
      key: keyFiles.developer,
      build: builds.development,
      command: 'echo "db=$PGDATABASE user=$(id -un) in=$(test -f /.dockerenv && echo container)"; echo err >&2; exit 3',
    });
    expect(r.stdout).toBe(`db=${databaseName} user=odoo in=container\n`);
    expect(r.stderr).toBe("err\n");
    expect(r.code).toBe(3);
    // Recorded like a web shell: open and close, the developer as actor, "via ssh" and the key.
    await expect.poll(async () => (await auditRows("shell.close", builds.development)).length, { timeout: 5_000 }).toBe(1);
    const [open] = await auditRows("shell.open", builds.development);
    expect(open).toMatchObject({ actorId: users.developer, projectId });
    expect(open!.details).toMatchObject({
      via: "ssh",
      mode: "exec",
      stage: "development",
      keyFingerprint: expect.stringMatching(/^SHA256:/),
    });
    const [close] = await auditRows("shell.close", builds.development);
    expect(close!.details).toMatchObject({ reason: "exited", exitCode: 3, sessionId: (open!.details as { sessionId: string }).sessionId });
    // The profile shows when the key was last used.
    await expect.poll(async () => (await prisma.sshKey.findFirst({ where: { userId: users.developer } }))?.lastUsedAt).toBeTruthy();
  });

  it("opens an interactive shell on a pseudo-terminal and streams stdin to a piped command", async () => {
    const interactive = await ssh(server, {
      key: keyFiles.developer,
      build: builds.development,
      tty: true,
      input: "echo SLIPWAY-$((6*7)) $(id -un)\nexit\n",
    });
    expect(interactive.stdout).toMatch(/SLIPWAY-42 odoo/);
    expect(interactive.code).toBe(0);
    const piped = await ssh(server, {
      key: keyFiles.developer,
      build: builds.development,
      command: "tr a-z A-Z",
      input: "through stdin\n",
    });
    expect(piped).toMatchObject({ code: 0, stdout: "THROUGH STDIN\n" });
  });

  it("refuses a developer on production by the matrix's shell cell, before any process starts", async () => {
    const before = server.stats();
    const r = await ssh(server, { key: keyFiles.developer, build: builds.production, command: "echo should-not-run" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Slipway: .*developer.*shell/i);
    expect(server.stats()).toMatchObject({ started: before.started, refused: before.refused + 1 });
    expect(await auditRows("shell.open", builds.production)).toHaveLength(0);
    // Control: the project's admin gets that production shell.
    const admin = await ssh(server, { key: keyFiles.admin, build: builds.production, command: "echo $PGDATABASE" });
    expect(admin).toMatchObject({ code: 0, stdout: `${databaseName}_prod\n` });
  });

  it("refuses a key that is on no profile (the same command with a known key works)", async () => {
    const probe = await ssh(server, { key: keyFiles.stranger, build: builds.development, command: "echo should-not-run" });
    expect(probe.code).toBe(255);
    expect(probe.stdout).toBe("");
    if (hasOpenSsh) expect(probe.stderr).toMatch(/Permission denied \(publickey\)/);
    const control = await ssh(server, { key: keyFiles.developer, build: builds.development, command: "echo ok" });
    expect(control).toMatchObject({ code: 0, stdout: "ok\n" });
  });

  it("refuses a user name that is not a build, saying what to type", async () => {
    const r = await ssh(server, { key: keyFiles.developer, build: "odoo", command: "true" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"odoo" is not a build/);
  });

  it("lets no key material into the container: no agent socket, no SSH_* variable, the client's environment refused", async () => {
    const r = await ssh(server, {
      key: keyFiles.developer,
      build: builds.development,
      agent: true,
      command: 'echo "agent=${SSH_AUTH_SOCK:-none} ssh_vars=$(env | grep -c ^SSH_) lc=${LC_ALL:-unset}"',
    });
    expect(r).toMatchObject({ code: 0, stdout: "agent=none ssh_vars=0 lc=unset\n" });
  });

  it("closes a session without input after the idle time, like the web shell", async () => {
    const r = await ssh(idleServer, {
      key: keyFiles.developer,
      build: builds.development,
      tty: true,
      input: "echo ready\n",
      keepOpen: true,
    });
    expect(r.stdout).toMatch(/ready/);
    expect(r.stdout).toMatch(/Session closed after \d+ minutes without input/);
    await expect
      .poll(async () =>
        (await auditRows("shell.close", builds.development)).some((row) => (row.details as { reason?: string }).reason === "idle"),
      )
      .toBe(true);
  });

  it("refuses the keys of a disabled account", async () => {
    await prisma.user.update({ where: { id: users.developer }, data: { disabledAt: new Date() } });
    try {
      const r = await ssh(server, { key: keyFiles.developer, build: builds.development, command: "echo should-not-run" });
      expect(r.code).toBe(255);
      expect(r.stdout).toBe("");
    } finally {
      await prisma.user.update({ where: { id: users.developer }, data: { disabledAt: null } });
    }
  });

  it("serves the ssh2 client too (the fallback of machines without OpenSSH)", async () => {
    const r = await sshViaLibrary(server, { key: keyFiles.developer, build: builds.development, command: "echo $PGDATABASE; exit 4" });
    expect(r).toMatchObject({ code: 4, stdout: `${databaseName}\n` });
  });

  it("keeps its host key in the state folder, 0600, the same from one start to the next", () => {
    const first = loadOrCreateHostKey(home);
    expect(first.created).toBe(false);
    expect(statSync(sshHostKeyFile(home)).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "state", "ssh")).mode & 0o777).toBe(0o700);
    expect(loadOrCreateHostKey(home).privateKey).toBe(first.privateKey);
    expect(sshCommandFor({ id: builds.development }, { publicHost: "127.0.0.1", port: server.port })).toBe(
      `ssh ${builds.development}@127.0.0.1 -p ${server.port}`,
    );
  });
});
