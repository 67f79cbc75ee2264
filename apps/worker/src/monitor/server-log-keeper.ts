import { createWriteStream, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { followLogs, type DockerEngine, type LogFollower } from "@slipway/docker";

/**
 * Keeps appending running servers' output to their build's odoo.log for as long as the server
 * runs (the Logs tab follows that file live). The pipeline hands over the follower it started
 * with the server (`adopt`); after a worker restart or a container restart, `ensure` re-attaches
 * with `since` = the file's last write, so nothing is lost and little is repeated. A follower
 * removes itself when its container stops.
 */
export class ServerLogKeeper {
  private readonly followers = new Map<string, LogFollower>();
  private readonly attaching = new Set<string>();

  has(buildId: string): boolean {
    return this.followers.has(buildId);
  }

  get size(): number {
    return this.followers.size;
  }

  adopt(buildId: string, follower: LogFollower): void {
    const previous = this.followers.get(buildId);
    if (previous && previous !== follower) previous.stop();
    this.followers.set(buildId, follower);
    void follower.done.then(() => {
      if (this.followers.get(buildId) === follower) this.followers.delete(buildId);
    });
  }

  /** Follows `containerId` into `<logDir>/odoo.log` unless this build is already followed. */
  async ensure(options: { docker: DockerEngine; buildId: string; containerId: string; logDir: string }): Promise<boolean> {
    const { buildId } = options;
    if (this.followers.has(buildId) || this.attaching.has(buildId)) return false;
    this.attaching.add(buildId);
    try {
      mkdirSync(options.logDir, { recursive: true });
      const file = path.join(options.logDir, "odoo.log");
      let since: number | undefined;
      try {
        // Docker accepts fractional seconds: lines the engine received after our last write.
        since = statSync(file).mtimeMs / 1000;
      } catch {
        since = undefined;
      }
      const out = createWriteStream(file, { flags: "a" });
      const follower = await followLogs({ docker: options.docker, id: options.containerId, since, onLine: (l) => out.write(`${l.line}\n`) });
      void follower.done.then(() => out.end());
      this.adopt(buildId, follower);
      return true;
    } finally {
      this.attaching.delete(buildId);
    }
  }

  stop(buildId: string): void {
    this.followers.get(buildId)?.stop();
    this.followers.delete(buildId);
  }

  stopAll(): void {
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }
}
