import { writeWorkerHeartbeat, type WorkerHeartbeat } from "@slipway/queue";

/** Writes the worker heartbeat now and every `intervalMs` until stopped. */
export function startHeartbeat(options: {
  redis: Parameters<typeof writeWorkerHeartbeat>[0];
  info: Omit<WorkerHeartbeat, "at">;
  intervalMs: number;
  onError: (error: unknown) => void;
}): { stop(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const beat = () => {
    pending = writeWorkerHeartbeat(options.redis, { ...options.info, at: new Date().toISOString() }).catch(options.onError);
  };
  beat();
  const timer = setInterval(beat, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      // A write still in flight must land before the caller clears the key.
      await pending;
    },
  };
}
