import { Server, type IncomingMessage } from "node:http";
import { PEER_ADDRESS_HEADER } from "./auth/session-cookie";

const installed = Symbol.for("slipway.web.peer-address-header");

/** Sets the peer-address header of one incoming request from its socket, over any client-sent value. */
export function stampPeerAddress(request: IncomingMessage): void {
  const address = request.socket?.remoteAddress;
  if (address) request.headers[PEER_ADDRESS_HEADER] = address;
  else delete request.headers[PEER_ADDRESS_HEADER];
}

/**
 * Next.js hides the socket from route handlers and server actions, and only fills X-Forwarded-For
 * with the socket's address when the client sent none (so a client-sent one would be taken as
 * the truth). Every HTTP server of this process therefore stamps each request, before Next sees
 * it, with its connection's address under PEER_ADDRESS_HEADER (replacing a client-sent value);
 * clientIp() trusts X-Forwarded-For only when that peer is a configured proxy (issue 12, M2).
 * Called once from instrumentation's register(), in the Node runtime.
 */
export function installPeerAddressHeader(): void {
  const proto = Server.prototype as Server & { [installed]?: boolean };
  if (proto[installed]) return;
  proto[installed] = true;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") stampPeerAddress(args[0] as IncomingMessage);
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Server["emit"];
}
