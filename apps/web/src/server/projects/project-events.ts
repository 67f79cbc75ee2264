import { createRedisConnection, projectChannel, type ProjectNotice } from "@slipway/queue";
import type { Redis } from "ioredis";

const encoder = new TextEncoder();

type Listener = (notice: ProjectNotice) => void;

/**
 * Project notices of the whole web process from ONE Redis subscriber connection, fanned out to
 * every open event stream (issue 12, M3): a channel is subscribed while at least one stream of its
 * project is open and unsubscribed when the last one closes. However many viewers, the process
 * holds one subscriber connection (named `slipway-web-events`); ioredis resubscribes after a
 * reconnect.
 */
export interface ProjectNoticeHub {
  /** Resolves once the project's channel is subscribed; the returned function stops the listener (idempotent). */
  subscribe(projectId: string, listener: Listener): Promise<() => void>;
  /** Channels currently subscribed and listeners attached (for tests and the benchmark). */
  stats(): { channels: number; listeners: number };
  close(): void;
}

export function createProjectNoticeHub(options: { redisUrl: string }): ProjectNoticeHub {
  const channels = new Map<string, { listeners: Set<Listener>; ready: Promise<unknown> }>();
  let subscriber: Redis | undefined;

  const connection = (): Redis => {
    if (subscriber) return subscriber;
    const redis = createRedisConnection({ url: options.redisUrl, role: "producer", name: "slipway-web-events" });
    redis.on("error", () => undefined); // a failed subscribe is reported to its stream; ioredis reconnects
    redis.on("message", (channel: string, message: string) => {
      const entry = channels.get(channel);
      if (!entry) return;
      let notice: ProjectNotice;
      try {
        notice = JSON.parse(message) as ProjectNotice;
      } catch {
        return; // a malformed notice is dropped
      }
      for (const listener of entry.listeners) {
        try {
          listener(notice);
        } catch {
          /* one stream's failure is not another's */
        }
      }
    });
    subscriber = redis;
    return redis;
  };

  return {
    async subscribe(projectId, listener) {
      const channel = projectChannel(projectId);
      let entry = channels.get(channel);
      if (!entry) {
        const created = { listeners: new Set<Listener>(), ready: connection().subscribe(channel) };
        created.ready.catch(() => {
          if (channels.get(channel) === created) channels.delete(channel);
        });
        channels.set(channel, created);
        entry = created;
      }
      const current = entry;
      current.listeners.add(listener);
      try {
        await current.ready;
      } catch (e) {
        current.listeners.delete(listener);
        throw e;
      }
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && channels.get(channel) === current) {
          channels.delete(channel);
          void subscriber?.unsubscribe(channel).catch(() => undefined);
        }
      };
    },
    stats() {
      let listeners = 0;
      for (const entry of channels.values()) listeners += entry.listeners.size;
      return { channels: channels.size, listeners };
    },
    close() {
      channels.clear();
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}

// On globalThis so Next's separately bundled route chunks share the process's one hub.
const hubKey = Symbol.for("slipway.web.project-notice-hub");

/** The process-wide hub (created on first use). */
export function projectNoticeHub(redisUrl: string): ProjectNoticeHub {
  const holder = globalThis as { [hubKey]?: ProjectNoticeHub };
  holder[hubKey] ??= createProjectNoticeHub({ redisUrl });
  return holder[hubKey];
}

/**
 * Concurrent event streams per client address, capped (SLIPWAY_EVENT_STREAMS_PER_ADDRESS): a
 * visitor of a public project cannot hold an unbounded number of streams open. Counted in this web
 * process. "unknown" (no connection address, e.g. a handler called outside the server) is not capped.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly perAddress: number) {}

  /** A release function (idempotent), or null when the address already holds its share. */
  acquire(address: string): (() => void) | null {
    const count = this.open.get(address) ?? 0;
    if (address !== "unknown" && count >= this.perAddress) return null;
    this.open.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    };
  }

  held(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

const slotsKey = Symbol.for("slipway.web.event-stream-slots");

/** The process-wide stream slots (the cap is read once, from configuration). */
export function eventStreamSlots(perAddress: number): StreamSlots {
  const holder = globalThis as { [slotsKey]?: StreamSlots };
  holder[slotsKey] ??= new StreamSlots(perAddress);
  return holder[slotsKey];
}

/**
 * A Server-Sent Events stream of one project's notices (ids only; the browser re-reads the page),
 * fed by the process's notice hub. Stops listening when the client goes away (`signal`) or the
 * stream is cancelled, and then calls `onClose` once (releases the address's slot). A comment
 * line every `pingMs` keeps proxies from closing it.
 */
export function projectEventStream(options: {
  hub: ProjectNoticeHub;
  projectId: string;
  signal: AbortSignal;
  pingMs?: number;
  onClose?: () => void;
}): ReadableStream<Uint8Array> {
  const { hub, projectId, signal, pingMs = 15_000, onClose } = options;
  let cleanup: (() => void) | undefined;
  let closed = false;

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      let stop: (() => void) | undefined;
      const ping = setInterval(() => send(": ping\n\n"), pingMs);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        signal.removeEventListener("abort", onAbort);
        stop?.();
        onClose?.();
      };
      const onAbort = () => {
        cleanup?.();
        try {
          controller.close();
        } catch {
          /* already closed by the consumer */
        }
      };
      signal.addEventListener("abort", onAbort);
      if (signal.aborted) return onAbort();

      // Reconnect after 3 s if the connection drops (EventSource default is browser-dependent).
      send("retry: 3000\n\n");
      try {
        stop = await hub.subscribe(projectId, (notice) => send(`event: notice\ndata: ${JSON.stringify(notice)}\n\n`));
      } catch (e) {
        console.error(`Slipway web: live updates unavailable: ${(e as Error).message}`);
        cleanup();
        controller.error(e);
        return;
      }
      if (closed) return stop();
      send(": subscribed\n\n");
    },
    cancel() {
      cleanup?.();
    },
  });
}
