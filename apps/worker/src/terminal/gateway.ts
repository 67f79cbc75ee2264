import http from "node:http";
import { isIP, type AddressInfo } from "node:net";
import { isDomainError, parseTerminalRequest, TERMINAL_CLOSE } from "@slipway/domain";
import { WebSocketServer, type WebSocket } from "ws";
import type { WorkerDeps } from "../deps";
import { postgresFor } from "../odoo/staging-clones";
import { AnonymousShellLimiter, type AnonymousShellLimits } from "./anonymous-shells";
import { recordShellAudit } from "./audit";
import { authorizeShell } from "./authorize-shell";
import { runShellSession, type ShellSessionEnd } from "./shell-session";

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
 * and a reason saying which. The web app never proxies the stream.
 */
export async function startTerminalGateway(options: {
  deps: GatewayDeps;
  host: string;
  port: number;
  idleMs?: number;
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
  const sessions = new Set<{ stop(reason: ShellSessionEnd["reason"]): void }>();
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

  async function accept(ws: WebSocket, request: NonNullable<ReturnType<typeof parseTerminalRequest>>, ip: string | null): Promise<void> {
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
      sessions.add(session);
      const end = await session.end;
      sessions.delete(session);
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
      for (const s of sessions) s.stop("shutdown");
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
