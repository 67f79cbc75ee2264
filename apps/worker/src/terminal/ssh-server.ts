import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { sshFingerprint } from "@slipway/config";
import { findSshKeyByFingerprint, touchSshKey } from "@slipway/db";
import { isDomainError, SHELL_IDLE_MS } from "@slipway/domain";
// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader, only its default.
import ssh2, { type Connection, type PublicKeyAuthContext, type ServerChannel, type Session } from "ssh2";
import type { WorkerDeps } from "../deps";
import { postgresFor } from "../odoo/staging-clones";
import { AnonymousShellLimiter, type AnonymousShellLimits } from "./anonymous-shells";
import { recordShellAudit } from "./audit";
import { authorizeShellFor, type ShellTarget } from "./authorize-shell";
import { openShellExec, ShellUnavailable, type ShellExec, type ShellSessionEnd } from "./shell-session";

export interface SshServer {
  port: number;
  /** Sessions whose exec was started since the server started, open now, and refused. */
  stats(): { open: number; started: number; refused: number };
  close(): Promise<void>;
}

type SshDeps = Pick<WorkerDeps, "prisma" | "docker" | "postgres" | "logger"> & {
  config: Pick<WorkerDeps["config"], "terminal">;
};

/** A connection that has not authenticated by then is dropped. */
const AUTH_TIMEOUT_MS = 30_000;
/** Keys a client may offer on one connection (OpenSSH offers each of its keys in turn). */
const MAX_AUTH_ATTEMPTS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface KeyHolder {
  userId: string;
  keyId: string;
  fingerprint: string;
}

/**
 * SSH to builds (seed "SSH": `ssh <build id>@<host> -p <port>`), served by the worker next to the
 * terminal gateway. Public keys only: the key a client proves it holds names the user (keys added
 * on the profile page); the user name names the build. Every session then goes through the web
 * shell's own path: authorizeShellFor (the matrix's shell cell, re-read from the database for each
 * session), openShellExec (the build's running server, SHELL_USER, the same environment), the same
 * shell.open/shell.close audit entries (details.via "ssh") and the same idle rule (no input for
 * `idleMs`). An interactive shell (`ssh … -p …`, with a pseudo-terminal) and one command
 * (`ssh … 'echo hi'`, piped, with its exit status) both work. No key material ever reaches the
 * container: the server keeps its host key, the client's key stays with the client; the environment
 * of the session is the web shell's (the client's `env` requests are refused), and agent, X11 and
 * port forwarding are refused.
 */
export async function startSshServer(options: {
  deps: SshDeps;
  host: string;
  port: number;
  hostKey: string;
  idleMs?: number;
  anonymousLimits?: AnonymousShellLimits;
}): Promise<SshServer> {
  const { deps } = options;
  const idleMs = options.idleMs ?? SHELL_IDLE_MS;
  const counts = { started: 0, refused: 0 };
  const anonymous = new AnonymousShellLimiter(
    options.anonymousLimits ?? { perAddress: deps.config.terminal.anonymousPerAddress, perBuild: deps.config.terminal.anonymousPerBuild },
  );
  const sessions = new Set<{ stop(reason: ShellSessionEnd["reason"]): void }>();
  const clients = new Set<Connection>();

  const server = new ssh2.Server({ hostKeys: [options.hostKey], ident: "Slipway" }, (client, info) => {
    clients.add(client);
    let holder: KeyHolder | null = null;
    let buildName = "";
    let attempts = 0;
    const authTimer = setTimeout(() => client.end(), AUTH_TIMEOUT_MS);
    client.on("close", () => {
      clearTimeout(authTimer);
      clients.delete(client);
    });
    client.on("error", (error: Error) => deps.logger.debug({ err: error.message, ip: info.ip }, "ssh: connection error"));
    client.on("authentication", (ctx) => {
      if (++attempts > MAX_AUTH_ATTEMPTS) {
        client.end();
        return;
      }
      if (ctx.method !== "publickey") {
        ctx.reject(["publickey"]);
        return;
      }
      void verifyKey(ctx).then(
        (found) => {
          if (!found) return ctx.reject(["publickey"]);
          // A key offered without signature is only a question ("would you take it?"): the
          // client signs next; the user is known once the signature is checked.
          if (ctx.signature) {
            holder = found;
            buildName = ctx.username;
          }
          ctx.accept();
        },
        (error: unknown) => {
          deps.logger.error({ err: error }, "ssh: key lookup failed");
          ctx.reject(["publickey"]);
        },
      );
    });
    client.on("ready", () => {
      clearTimeout(authTimer);
      client.on("session", (accept) => {
        const session = accept();
        if (holder) handleSession(session, holder, buildName, info.ip);
      });
    });
  });

  /** The key's holder when the key is on a profile (and, when signed, the signature is valid). */
  async function verifyKey(ctx: PublicKeyAuthContext): Promise<KeyHolder | null> {
    const fingerprint = sshFingerprint(ctx.key.data);
    const key = await findSshKeyByFingerprint(deps.prisma, fingerprint);
    if (!key || key.disabled) return null;
    const parsed = ssh2.utils.parseKey(key.publicKey);
    if (parsed instanceof Error || !parsed.getPublicSSH().equals(ctx.key.data)) return null;
    if (ctx.signature && (!ctx.blob || parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)) return null;
    return { userId: key.userId, keyId: key.id, fingerprint };
  }

  function handleSession(session: Session, holder: KeyHolder, buildName: string, ip: string): void {
    let pty: { cols: number; rows: number } | null = null;
    let exec: ShellExec | null = null;
    let started = false;
    // accept/reject are undefined when the client asked for no reply.
    type Answer = (() => void) | undefined;
    session.on("pty", (accept: Answer, _reject: Answer, size) => {
      pty = { cols: size.cols, rows: size.rows };
      accept?.();
    });
    session.on("window-change", (accept: Answer, _reject: Answer, size) => {
      pty = { cols: size.cols, rows: size.rows };
      if (exec?.tty) void exec.session.resize(pty).catch(() => undefined);
      accept?.();
    });
    // Nothing of the client's environment enters the container (LANG, LC_*, agent sockets…).
    session.on("env", (_accept: Answer, reject: Answer) => reject?.());
    const start = (channel: ServerChannel, command: string | undefined) => {
      if (started) return;
      started = true;
      void runSession({ channel, holder, buildName, ip, command, pty: () => pty, onExec: (e) => (exec = e) }).catch((error: unknown) => {
        deps.logger.error({ err: error }, "ssh: session failed");
        if (channel.writable) channel.end();
      });
    };
    session.on("shell", (accept) => start(accept(), undefined));
    session.on("exec", (accept, _reject, request) => start(accept(), request.command));
  }

  function refuse(channel: ServerChannel, message: string): void {
    counts.refused++;
    if (!channel.writable) return;
    channel.stderr.write(`Slipway: ${message}\r\n`);
    channel.exit(1);
    channel.end();
  }

  /** Output of a process whose client may be gone already: dropped then, never thrown. */
  function send(out: NodeJS.WritableStream, chunk: Buffer): void {
    if ((out as { writable?: boolean }).writable) out.write(chunk);
  }

  async function runSession(options: {
    channel: ServerChannel;
    holder: KeyHolder;
    buildName: string;
    ip: string;
    command: string | undefined;
    pty: () => { cols: number; rows: number } | null;
    onExec: (exec: ShellExec) => void;
  }): Promise<void> {
    const { channel, holder, ip, command } = options;
    if (!UUID.test(options.buildName)) {
      refuse(
        channel,
        `"${options.buildName.slice(0, 64)}" is not a build: connect as <build id>@… (the command is on the build's Shell tab).`,
      );
      return;
    }
    let target: ShellTarget;
    try {
      target = await authorizeShellFor({ prisma: deps.prisma, buildId: options.buildName, userId: holder.userId });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      deps.logger.info({ reason: error.message, buildId: options.buildName, userId: holder.userId }, "ssh: session refused");
      refuse(channel, error.message);
      return;
    }
    const slot = target.anonymous ? anonymous.acquire({ address: ip, buildId: target.buildId }) : null;
    if (slot && !slot.ok) {
      refuse(channel, slot.reason);
      return;
    }
    try {
      const pty = options.pty();
      let exec: ShellExec;
      try {
        exec = await openShellExec({
          docker: deps.docker,
          target,
          pg: await postgresFor(deps, target.databaseName),
          command,
          tty: pty ?? false,
        });
      } catch (error) {
        if (!(error instanceof ShellUnavailable)) throw error;
        refuse(channel, error.message);
        return;
      }
      options.onExec(exec);
      const session = bridge(channel, exec, pty !== null);
      sessions.add(session);
      counts.started++;
      const details = { buildNumber: target.buildNumber, stage: target.stage, via: "ssh", mode: command === undefined ? "shell" : "exec" };
      const logShellEvent = (action: "shell.open" | "shell.close", extra: Record<string, unknown>) =>
        recordShellAudit({
          prisma: deps.prisma,
          action,
          projectId: target.projectId,
          actorId: target.userId,
          buildId: target.buildId,
          ip,
          details: { sessionId: session.id, ...details, keyFingerprint: holder.fingerprint, ...extra },
        });
      void logShellEvent("shell.open", {}).catch((e: unknown) => deps.logger.warn({ err: e }, "ssh: audit failed"));
      void touchSshKey(deps.prisma, holder.keyId).catch(() => undefined);
      const end = await session.end;
      sessions.delete(session);
      await logShellEvent("shell.close", { durationMs: end.durationMs, reason: end.reason, exitCode: end.exitCode ?? null });
    } finally {
      if (slot?.ok) slot.release();
    }
  }

  /**
   * Joins the SSH channel and the exec: output out (stdout and stderr apart when piped), input in
   * (an end of input half-closes a piped command's stdin), the exit status back; the session ends
   * when the process exits, the client goes, `idleMs` pass without input, or `stop` is called.
   */
  function bridge(channel: ServerChannel, exec: ShellExec, terminal: boolean) {
    const id = randomUUID();
    const startedAt = Date.now();
    let ended = false;
    let idle: NodeJS.Timeout | undefined;
    let resolveEnd!: (end: ShellSessionEnd) => void;
    const end = new Promise<ShellSessionEnd>((resolve) => (resolveEnd = resolve));
    const finish = (reason: ShellSessionEnd["reason"], exitCode?: number) => {
      if (ended) return;
      ended = true;
      clearTimeout(idle);
      if (channel.writable) {
        if (reason === "idle") {
          const text = `\r\nSession closed after ${Math.round(idleMs / 60_000)} minutes without input.\r\n`;
          (terminal ? channel : channel.stderr).write(text);
        }
        if (reason === "exited" && exitCode !== undefined) channel.exit(exitCode);
        channel.end();
      }
      if (exec.tty) exec.session.stream.destroy();
      else exec.session.destroy();
      resolveEnd({ sessionId: id, durationMs: Date.now() - startedAt, reason, exitCode });
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish("idle"), idleMs);
    };
    if (exec.tty) {
      const { stream } = exec.session;
      stream.on("data", (chunk: Buffer) => send(channel, chunk));
      channel.on("data", (data: Buffer) => {
        armIdle();
        stream.write(data);
      });
    } else {
      const piped = exec.session;
      piped.stdout.on("data", (chunk: Buffer) => send(channel, chunk));
      piped.stderr.on("data", (chunk: Buffer) => send(channel.stderr, chunk));
      channel.on("data", (data: Buffer) => {
        armIdle();
        piped.stdin.write(data);
      });
      channel.on("end", () => piped.stdin.end());
    }
    channel.on("close", () => finish("client_closed"));
    channel.on("error", () => finish("client_closed"));
    void exec.session.exited.then(
      (code) => finish("exited", code),
      () => finish("exited"),
    );
    armIdle();
    return { id, end, stop: (reason: ShellSessionEnd["reason"]) => finish(reason) };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error: Error) => deps.logger.error({ err: error }, "ssh: server error"));
  const port = (server.address() as AddressInfo).port;
  deps.logger.info({ host: options.host, port }, "ssh server listening");
  return {
    port,
    stats: () => ({ open: sessions.size, ...counts }),
    async close() {
      for (const s of sessions) s.stop("shutdown");
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
