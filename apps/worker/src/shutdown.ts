/**
 * Runs `shutdown` once on the first SIGTERM/SIGINT. A second signal exits at once (exit 1), for
 * an operator who does not want to wait for running jobs.
 */
export function onShutdownSignal(options: {
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  onSecondSignal: (signal: NodeJS.Signals) => void;
}): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.onSecondSignal(signal);
      process.exit(1);
    }
    stopping = true;
    void options.shutdown(signal);
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
