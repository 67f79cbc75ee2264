import { createRedisConnection, subscribeProjectNotices } from "@slipway/queue";

const encoder = new TextEncoder();

/**
 * A Server-Sent Events stream of one project's notices (ids only; the browser re-reads the page).
 * Owns a dedicated Redis subscriber connection, closed when the client goes away (`signal`) or
 * the stream is cancelled. A comment line every `pingMs` keeps proxies from closing it.
 */
export function projectEventStream(options: { redisUrl: string; projectId: string; signal: AbortSignal; pingMs?: number }): ReadableStream<Uint8Array> {
  const { redisUrl, projectId, signal, pingMs = 15_000 } = options;
  let cleanup: (() => Promise<void>) | undefined;
  let closed = false;

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const subscriber = createRedisConnection({ url: redisUrl, role: "producer", name: "slipway-web-events" });
      subscriber.on("error", () => undefined); // reported through the subscribe failure below
      let unsubscribe: (() => Promise<void>) | undefined;
      const ping = setInterval(() => send(": ping\n\n"), pingMs);
      cleanup = async () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        signal.removeEventListener("abort", onAbort);
        if (unsubscribe) await unsubscribe();
        else subscriber.disconnect();
      };
      const onAbort = () => {
        void cleanup?.().then(() => {
          try {
            controller.close();
          } catch {
            /* already closed by the consumer */
          }
        });
      };
      signal.addEventListener("abort", onAbort);
      if (signal.aborted) return onAbort();

      // Reconnect after 3 s if the connection drops (EventSource default is browser-dependent).
      send("retry: 3000\n\n");
      try {
        unsubscribe = await subscribeProjectNotices(subscriber, projectId, (notice) => send(`event: notice\ndata: ${JSON.stringify(notice)}\n\n`));
      } catch (e) {
        console.error(`Slipway web: live updates unavailable: ${(e as Error).message}`);
        await cleanup();
        controller.error(e);
        return;
      }
      if (closed) return void (await unsubscribe());
      send(": subscribed\n\n");
    },
    async cancel() {
      await cleanup?.();
    },
  });
}
