import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientIp, PEER_ADDRESS_HEADER } from "./auth/session-cookie";
import { installPeerAddressHeader } from "./peer-address";

describe("the connection's address on every request (issue 12, M2)", () => {
  it("replaces a client-sent peer header with the socket's address, even on servers created before", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.end("ok");
    });
    installPeerAddressHeader();
    installPeerAddressHeader(); // idempotent
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (
        await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } })
      ).text();
      expect(seen[0]![PEER_ADDRESS_HEADER]).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      const headers = new Headers(seen[0] as Record<string, string>);
      expect(clientIp(headers)).toBe("127.0.0.1");
      expect(clientIp(headers, ["127.0.0.1"])).toBe("6.6.6.6");
    } finally {
      server.close();
    }
  });
});
