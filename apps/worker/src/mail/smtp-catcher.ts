import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import type { Logger } from "pino";
import type { BuildSenders, MailSender } from "./build-senders";

export interface MailCatcher {
  /** Bound addresses (host and actual port: port 0 picks a free one, then shared by every host). */
  addresses: { host: string; port: number }[];
  /** The port every address listens on. */
  port: number;
  /** Listens on one more address (a new project network's gateway), same port; idempotent. */
  listenOn(host: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartMailCatcherOptions {
  /** Addresses to listen on: the builds network's gateway (and 127.0.0.1 for local tools). */
  hosts: string[];
  port: number;
  senders: BuildSenders;
  store: (message: { sender: MailSender; raw: Buffer; envelope: { from: string | null; to: string[] } }) => Promise<{ id: string }>;
  logger: Logger;
  /** Largest accepted message (bytes). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The platform's SMTP mail catcher (docs/product/containers-and-isolation.md): non-production builds send all their mail here
 * (`--smtp`, or the neutralized database's mail server). A connection is accepted only from an
 * address that belongs to a non-production build's container, identified when it connects; each
 * message is stored for that build and never relayed. No TLS (the builds network is internal) and
 * any AUTH credentials are accepted, so Odoo mail server settings with a login still deliver here.
 */
export async function startMailCatcher(options: StartMailCatcherOptions): Promise<MailCatcher> {
  const { senders, store, logger } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bySession = new Map<string, MailSender>();

  const handlers = {
    name: "slipway-mail-catcher",
    banner: "Slipway mail catcher: messages are stored for the sending build, never delivered",
    size: maxBytes,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(session: SMTPServerSession, callback: (error?: Error | null) => void) {
      senders
        .resolve(session.remoteAddress)
        .then((sender) => {
          if (!sender) {
            logger.warn(
              { remote: session.remoteAddress },
              "mail catcher: connection from an address that is no non-production build, refused",
            );
            return callback(smtpError("Only non-production Slipway builds may send mail here", 554));
          }
          bySession.set(session.id, sender);
          callback();
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, "mail catcher: could not identify the sender");
          callback(smtpError("Temporary failure identifying the sender", 451));
        });
    },
    onAuth(_auth: unknown, _session: SMTPServerSession, callback: (error: Error | null, response?: { user: string }) => void) {
      callback(null, { user: "build" });
    },
    onData(
      stream: NodeJS.ReadableStream & { sizeExceeded?: boolean },
      session: SMTPServerSession,
      callback: (error?: Error | null, message?: string) => void,
    ) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const sender = bySession.get(session.id);
        if (stream.sizeExceeded) return callback(smtpError(`Message larger than ${maxBytes} bytes`, 552));
        if (!sender) return callback(smtpError("Unknown sender", 554));
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        store({ sender, raw: Buffer.concat(chunks), envelope })
          .then(({ id }) => {
            logger.info({ buildId: sender.buildId, mailId: id, to: envelope.to.length }, "mail catcher: message stored");
            callback(null, `Caught as ${id}`);
          })
          .catch((error: unknown) => {
            logger.error({ err: error, buildId: sender.buildId }, "mail catcher: could not store a message");
            callback(smtpError("Could not store the message, try again later", 451));
          });
      });
    },
    onClose(session: SMTPServerSession) {
      bySession.delete(session.id);
    },
  };

  const servers: SMTPServer[] = [];
  const addresses: { host: string; port: number }[] = [];
  let port = options.port;
  const listenOn = async (host: string): Promise<void> => {
    if (addresses.some((a) => a.host === host)) return;
    const server = new SMTPServer(handlers);
    server.on("error", (error: Error) => logger.warn({ err: error.message, host }, "mail catcher: server error"));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.server.once("error", onError);
      server.listen(port, host, () => {
        server.server.off("error", onError);
        resolve();
      });
    });
    servers.push(server);
    port = (server.server.address() as AddressInfo).port;
    addresses.push({ host, port });
  };
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    for (const host of options.hosts) await listenOn(host);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    addresses,
    get port() {
      return port;
    },
    listenOn,
    close,
  };
}
