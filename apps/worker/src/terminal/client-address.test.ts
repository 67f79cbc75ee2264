import http from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { clientAddress } from "./gateway";

function request(peer: string, forwardedFor?: string): http.IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, "remoteAddress", { value: peer });
  const req = new http.IncomingMessage(socket);
  if (forwardedFor !== undefined) req.headers["x-forwarded-for"] = forwardedFor;
  return req;
}

describe("clientAddress (the terminal gateway's view of the browser)", () => {
  it("is the connection's peer when the gateway is reached directly, whatever the request claims", () => {
    expect(clientAddress(request("203.0.113.9", "198.51.100.1"), false)).toBe("203.0.113.9");
    expect(clientAddress(request("127.0.0.1", "198.51.100.1"), false)).toBe("127.0.0.1");
  });

  it("behind the proxy, is the entry the local proxy appended (the last one), never an earlier claim", () => {
    expect(clientAddress(request("127.0.0.1", "10.9.9.9, 198.51.100.7"), true)).toBe("198.51.100.7");
    expect(clientAddress(request("::1", "2001:db8::5"), true)).toBe("2001:db8::5");
  });

  it("believes X-Forwarded-For only from a loopback peer, and only when it is an address", () => {
    expect(clientAddress(request("203.0.113.9", "198.51.100.1"), true)).toBe("203.0.113.9");
    expect(clientAddress(request("127.0.0.1", "not-an-ip"), true)).toBe("127.0.0.1");
    expect(clientAddress(request("127.0.0.1"), true)).toBe("127.0.0.1");
  });
});
