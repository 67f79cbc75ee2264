import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { isIP, type AddressInfo } from "node:net";
import { isDomainError, parseTerminalRequest, TERMINAL_CLOSE, type TerminalRequest } from "@slipway/domain";
import { WebSocketServer, type WebSocket } from "ws";
import type { WorkerDeps } from "../deps";
import { postgresFor } from "../odoo/staging-clones";
import { AnonymousShellLimiter, type AnonymousShellLimits } from "./anonymous-shells";
import { recordShellAudit } from "./audit";
import { authorizeShell } from "./authorize-shell";
import { runShellSession, type ShellSession } from "./shell-session";

export interface TerminalGateway {
  port: number;
  /** Sessions whose exec was started since the gateway started (tests assert refusals start none). */
  stats(): { open: number; started: number; refused: number };
  close(): Promise<void>;
}

type GatewayDeps = Pick<WorkerDeps, "prisma" | "redis" | "docker" | "postgres" | "logger"> & {
  config: Pick<WorkerDeps["config"], "encryptionKey" | "terminal">;
};

/** Largest client frame: keystrokes and pastes, not file transfers. */
const MAX_PAYLOAD = 1024 * 1024;

/**
 * The web terminal's websocket endpoint, in the worker (the only process with the Docker socket),
 * on its own port: ws://<host>:<port>/terminal?ticket=…. The socket is accepted, then checked
 * (ticket, nonce, role in the database); a refusal closes it with 1008 and a reason before any
 * exec exists. Shells of anonymous visitors (public projects) are capped per client address and
 * per build (config.terminal, or `anonymousLimits`); beyond a cap the socket is closed with 1008
 * and a reason saying which. A shell whose connection drops stays detached for `resumeMs`
 * (SHELL_RESUME_MS): a new, valid ticket of the same user on the same build with the session's
 * secret reattaches it (audited as shell.resume); anything else is closed with 4001 (gone). The web
 * app never proxies the stream.
 */
export async function startTerminalGateway(options: {
  deps: GatewayDeps;
  host: string;
  port: number;
  idleMs?: number;
  /** How long a dropped session waits for a resume (SHELL_RESUME_MS; 0: never resumed). */
  resumeMs?: number;
  anonymousLimits?: AnonymousShellLimits;
  /**
   * Browsers reach the gateway through the proxy (`/terminal` on the panel's origin): the client's
   * address is then the proxy's last X-Forwarded-For entry, believed only from a loopback peer.
   */
  behindProxy?: boolean;
}): Promise<TerminalGateway> {
  const { deps } = options;
  const counts = { started: 0, refused: 0 };
  const anonymous = new AnonymousShellLimiter(
    options.anonymousLimits ?? { perAddress: deps.config.terminal.anonymousPerAddress, perBuild: deps.config.terminal.anonymousPerBuild },
  );
  const sessions = new Map<string, ShellSession>();
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("Slipway terminal gateway: websocket only.\n");
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });

  server.on("upgrade", (req, socket, head) => {
    const request = parseTerminalRequest(req.url);
    if (!request) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const ip = clientAddress(req, options.behindProxy ?? false);
    wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, request, ip));
  });

  async function accept(ws: WebSocket, request: TerminalRequest, ip: string | null): Promise<void> {
    // Keystrokes and the first resize may arrive while the ticket is checked: keep them, in order.
    const early: string[] = [];
    const collect = (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary && early.length < 100) early.push(data.toString());
    };
    ws.on("message", collect);
    let target;
    try {
      target = await authorizeShell({
        prisma: deps.prisma,
        redis: deps.redis,
        encryptionKey: deps.config.encryptionKey,
        ticket: request.ticket,
      });
    } catch (error) {
      counts.refused++;
      const known = isDomainError(error);
      const message = known ? error.message : "The shell could not be opened.";
      if (!known) deps.logger.error({ err: error }, "terminal: authorization failed");
      else deps.logger.info({ reason: message }, "terminal: session refused");
      // The close reason is limited to 123 bytes.
      ws.close(
        known && error.code === "invalid_state" ? TERMINAL_CLOSE.error : TERMINAL_CLOSE.policy,
        Buffer.from(message).subarray(0, 120).toString(),
      );
      return;
    }
    if (request.resume) {
      ws.off("message", collect);
      return resume(ws, request.resume, target, ip, early);
    }
    // Reserved synchronously (no await since the check): concurrent visitors cannot overshoot a cap.
    const slot = target.anonymous ? anonymous.acquire({ address: ip, buildId: target.buildId }) : null;
    if (slot && !slot.ok) {
      counts.refused++;
      deps.logger.info({ reason: slot.reason, buildId: target.buildId, ip }, "terminal: visitor shell refused (cap)");
      ws.close(TERMINAL_CLOSE.policy, slot.reason);
      return;
    }
    let opened: string | null = null;
    try {
      // The build's database server: the managed one, or a staging build's own cluster (ADR 0009).
      const pg = await postgresFor(deps, target.databaseName);
      // runShellSession attaches its own listener before its first await: no frame falls between.
      const starting = runShellSession({
        ws,
        docker: deps.docker,
        target,
        pg,
        queued: early,
        cols: request.cols,
        rows: request.rows,
        idleMs: options.idleMs,
        resumeMs: options.resumeMs,
        onOpen: (sessionId) => {
          opened = sessionId;
          counts.started++;
          void recordShellAudit({
            prisma: deps.prisma,
            action: "shell.open",
            projectId: target.projectId,
            actorId: target.userId,
            buildId: target.buildId,
            ip,
            details: { sessionId, buildNumber: target.buildNumber, stage: target.stage },
          }).catch((e: unknown) => deps.logger.warn({ err: e }, "terminal: audit failed"));
        },
      });
      ws.off("message", collect);
      const session = await starting;
      sessions.set(session.sessionId, session);
      const end = await session.end;
      sessions.delete(session.sessionId);
      if (opened) {
        await recordShellAudit({
          prisma: deps.prisma,
          action: "shell.close",
          projectId: target.projectId,
          actorId: target.userId,
          buildId: target.buildId,
          ip,
          details: {
            sessionId: opened,
            buildNumber: target.buildNumber,
            stage: target.stage,
            durationMs: end.durationMs,
            reason: end.reason,
            exitCode: end.exitCode ?? null,
            resumes: end.resumes ?? 0,
          },
        });
      }
    } catch (error) {
      deps.logger.error({ err: error }, "terminal: session failed");
      if (ws.readyState === ws.OPEN) ws.close(TERMINAL_CLOSE.error, "internal error");
    } finally {
      if (slot?.ok) slot.release();
    }
  }

  /**
   * Reattaches a detached shell to `ws`: the ticket was valid (role checked now), and the session
   * must be this user's on this build, with its secret. Every refusal is the same 4001, whether the
   * session ended, never existed or is someone else's: the answer tells an attacker nothing.
   */
  async function resume(
    ws: WebSocket,
    claim: NonNullable<TerminalRequest["resume"]>,
    target: Awaited<ReturnType<typeof authorizeShell>>,
    ip: string | null,
    early: readonly string[],
  ): Promise<void> {
    const session = claim === "malformed" ? undefined : sessions.get(claim.sessionId);
    const owned =
      claim !== "malformed" &&
      session !== undefined &&
      session.target.buildId === target.buildId &&
      session.target.userId === target.userId &&
      sameSecret(session.resumeSecret, claim.secret);
    if (!owned || !session.attach(ws, early)) {
      counts.refused++;
      deps.logger.info({ buildId: target.buildId, ip }, "terminal: resume refused");
      ws.close(TERMINAL_CLOSE.gone, "The shell session has ended: open a new one.");
      return;
    }
    await recordShellAudit({
      prisma: deps.prisma,
      action: "shell.resume",
      projectId: target.projectId,
      actorId: target.userId,
      buildId: target.buildId,
      ip,
      details: { sessionId: session.sessionId, buildNumber: target.buildNumber, stage: target.stage },
    }).catch((e: unknown) => deps.logger.warn({ err: e }, "terminal: audit failed"));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  deps.logger.info({ host: options.host, port }, "terminal gateway listening");
  return {
    port,
    stats: () => ({ open: sessions.size, ...counts }),
    async close() {
      for (const s of sessions.values()) s.stop("shutdown");
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Compares two secrets in constant time (their hashes: equal lengths whatever was sent). */
function sameSecret(expected: string, given: string): boolean {
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * The browser's address: the connection's peer, or, behind the proxy and from a loopback peer (the
 * proxy on this machine), the last X-Forwarded-For entry (the one the proxy itself appended).
 */
export function clientAddress(req: http.IncomingMessage, behindProxy: boolean): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (!behindProxy || !peer || !LOOPBACK.has(peer)) return peer;
  const header = req.headers["x-forwarded-for"];
  const entries = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const last = entries[entries.length - 1];
  return last && isIP(last) ? last : peer;
}
