// Test support for the hostile-tenant suite: the few Docker Engine API calls @slipway/docker does not
// offer (it hides what a test must look at: HostConfig, the event stream), made over the engine's
// Unix socket with node:http. Read-only except the removals the suite's cleanup needs.
import http from "node:http";

export interface EngineApi {
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  del(path: string): Promise<number>;
  post(path: string, body: unknown): Promise<number>;
  /** Container `create` events while the watcher runs (the engine filters by type and action). */
  watchContainerCreates(onCreate: (id: string, labels: Record<string, string>) => void): Promise<{ close(): void }>;
}

export function engineApi(socketPath: string): EngineApi {
  const call = (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { host: "docker" };
      if (payload !== undefined)
        Object.assign(headers, { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) });
      const req = http.request({ socketPath, path, method, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return {
    async get<T>(path: string) {
      const r = await call("GET", path);
      return { status: r.status, body: (r.text ? JSON.parse(r.text) : null) as T };
    },
    async del(path) {
      return (await call("DELETE", path)).status;
    },
    async post(path, body) {
      return (await call("POST", path, body)).status;
    },
    watchContainerCreates(onCreate) {
      const filters = encodeURIComponent(JSON.stringify({ type: ["container"], event: ["create"] }));
      return new Promise((resolve, reject) => {
        const req = http.request({ socketPath, path: `/events?filters=${filters}`, method: "GET", headers: { host: "docker" } }, (res) => {
          let buffer = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            let nl: number;
            while ((nl = buffer.indexOf("\n")) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (!line) continue;
              try {
                const e = JSON.parse(line) as { id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
                const id = e.Actor?.ID ?? e.id;
                if (id) onCreate(id, e.Actor?.Attributes ?? {});
              } catch {
                // a partial line is completed by the next chunk; anything else is not ours
              }
            }
          });
          res.on("error", () => undefined);
          resolve({ close: () => req.destroy() });
        });
        req.on("error", (e) => reject(e));
        req.end();
      });
    },
  };
}

/** What the suite asserts about a container the platform started (from `GET /containers/{id}/json`). */
export interface ContainerAudit {
  id: string;
  name: string;
  role: string;
  image: string;
  user: string;
  capDrop: string[];
  capAdd: string[];
  securityOpt: string[];
  pidsLimit: number | null;
  memory: number;
  networkMode: string;
  networks: string[];
  privileged: boolean;
  /** Host paths bind-mounted, with their container destination and whether writable. */
  binds: { source: string; destination: string; rw: boolean }[];
  volumes: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
}

interface InspectJson {
  Id: string;
  Name: string;
  Config: { Image: string; User: string; Env: string[] | null; Labels: Record<string, string> | null };
  HostConfig: {
    CapDrop: string[] | null;
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    PidsLimit: number | null;
    Memory: number;
    NetworkMode: string;
    Privileged: boolean;
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean; Name?: string }[];
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Gateway: string }> | null };
}

export async function auditContainer(api: EngineApi, id: string): Promise<ContainerAudit | null> {
  const r = await api.get<InspectJson>(`/containers/${encodeURIComponent(id)}/json`);
  if (r.status !== 200) return null;
  const c = r.body;
  const labels = c.Config.Labels ?? {};
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ""),
    role: labels["org.slipway.role"] ?? "",
    image: c.Config.Image,
    user: c.Config.User,
    capDrop: c.HostConfig.CapDrop ?? [],
    capAdd: c.HostConfig.CapAdd ?? [],
    securityOpt: c.HostConfig.SecurityOpt ?? [],
    pidsLimit: c.HostConfig.PidsLimit && c.HostConfig.PidsLimit > 0 ? c.HostConfig.PidsLimit : null,
    memory: c.HostConfig.Memory,
    networkMode: c.HostConfig.NetworkMode,
    networks: Object.keys(c.NetworkSettings.Networks ?? {}),
    privileged: c.HostConfig.Privileged,
    binds: c.Mounts.filter((m) => m.Type === "bind").map((m) => ({ source: m.Source, destination: m.Destination, rw: m.RW })),
    volumes: c.Mounts.filter((m) => m.Type === "volume").map((m) => m.Name ?? m.Source),
    env: Object.fromEntries((c.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])),
    labels,
  };
}

/**
 * IPv4 gateway of every network a container is attached to (the host's address on each). Internal
 * networks give their containers no default gateway: the network's own IPAM gateway is used then.
 */
export async function containerGateways(api: EngineApi, id: string): Promise<{ network: string; ip: string; gateway: string }[]> {
  const r = await api.get<InspectJson>(`/containers/${encodeURIComponent(id)}/json`);
  if (r.status !== 200) return [];
  const out: { network: string; ip: string; gateway: string }[] = [];
  for (const [network, n] of Object.entries(r.body.NetworkSettings.Networks ?? {})) {
    let gateway = n.Gateway;
    if (!gateway) {
      const net = await api.get<{ IPAM?: { Config?: { Gateway?: string }[] | null } }>(`/networks/${encodeURIComponent(network)}`);
      gateway = (net.body?.IPAM?.Config ?? []).map((c) => c.Gateway ?? "").find((g) => /^\d+\.\d+\.\d+\.\d+$/.test(g)) ?? "";
    }
    out.push({ network, ip: n.IPAddress, gateway });
  }
  return out;
}
