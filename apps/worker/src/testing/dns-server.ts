// Test support: a real DNS server on loopback (the `dns2` package's UDP server) whose CNAME
// records a test sets and removes while it runs. Names without a record answer NXDOMAIN. Point
// the worker at it with SLIPWAY_DNS_SERVERS=<servers[0]> (config.domains.dnsServers).
import dns2 from "dns2";

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as SLIPWAY_DNS_SERVERS takes it. */
  server: string;
  port: number;
  setCname(name: string, target: string): void;
  remove(name: string): void;
  /** The questions received (name and type), oldest first. */
  questions(): Array<{ name: string; type: number }>;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const { Packet } = dns2;
  const records = new Map<string, string>();
  const asked: Array<{ name: string; type: number }> = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = String(question?.name ?? "")
        .toLowerCase()
        .replace(/\.$/, "");
      asked.push({ name, type: Number((question as { type?: number } | undefined)?.type ?? 0) });
      const target = records.get(name);
      if (target === undefined) {
        // @types/dns2 leaves the header out of responses; the packet has one.
        (response as unknown as { header: { rcode: number } }).header.rcode = NXDOMAIN;
      } else {
        response.answers.push({ name: question!.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 1, domain: target });
      }
      send(response);
    },
  });
  const listening = new Promise<void>((resolve) => server.once("listening", () => resolve()));
  await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  await listening;
  const port = (server.addresses().udp as { port: number }).port;
  return {
    server: `127.0.0.1:${port}`,
    port,
    setCname: (name, target) => void records.set(name.toLowerCase(), target),
    remove: (name) => void records.delete(name.toLowerCase()),
    questions: () => [...asked],
    close: () => server.close(),
  };
}
