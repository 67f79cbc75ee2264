// Test entry point: the real worker (main.ts), armed to kill itself with SIGKILL at one step
// boundary of a journaled operation or a production update (argv[2], e.g.
// `snapshot-restore:renamed-database`). Integration tests start it instead of main.ts to crash
// a real worker process exactly there.
import { injectProcessFaults } from "../recovery/swap-journal";

const point = process.argv[2];
injectProcessFaults({
  at: (p) => {
    if (p !== point) return;
    process.kill(process.pid, "SIGKILL");
    return new Promise<void>(() => undefined);
  },
});
await import("../main");
