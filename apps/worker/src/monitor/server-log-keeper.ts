import { createWriteStream, mkdirSync, statSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { followLogs, type DockerEngine, type LogFollower } from "@slipway/docker";
import type { Redis } from "ioredis";

/** A follower's claim lives this long unless renewed (every Monitor tick, 30 s). */
const CLAIM_MS = 90_000;

/**
 * Keeps appending running servers' output to their build's odoo.log for as long as the server
 * runs (the Logs tab follows that file live). The pipeline hands over the follower it started
 * with the server (`adopt`); after a worker restart or a container restart, `ensure` re-attaches
 * with `since` = the file's last write, so nothing is lost and little is repeated. A follower
 * removes itself when its container stops. With Redis, a build is followed by one process only
 * (a renewed claim), so two workers (or a test worker) never write the same lines twice.
 */
export class ServerLogKeeper {
  private readonly followers = new Map<string, LogFollower>();
  private readonly attaching = new Set<string>();
  private readonly owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(private readonly options: { redis?: Redis } = {}) {}

  private key(buildId: string): string {
    return `slipway:server-log:${buildId}`;
  }

  /** Takes (or keeps) the claim on following `buildId`; false when another process holds it. */
  private async claim(buildId: string, force = false): Promise<boolean> {
    const { redis } = this.options;
    if (!redis) return true;
    if (force) return (await redis.set(this.key(buildId), this.owner, "PX", CLAIM_MS)) === "OK";
    if ((await redis.set(this.key(buildId), this.owner, "PX", CLAIM_MS, "NX")) === "OK") return true;
    if ((await redis.get(this.key(buildId))) !== this.owner) return false;
    await redis.pexpire(this.key(buildId), CLAIM_MS);
    return true;
  }

  private release(buildId: string): void {
    const { redis } = this.options;
    if (!redis) return;
    void redis
      .get(this.key(buildId))
      .then((v) => (v === this.owner ? redis.del(this.key(buildId)) : 0))
      .catch(() => undefined);
  }

  /** Renews the claims of the builds this process follows. */
  async renew(): Promise<void> {
    for (const buildId of this.followers.keys()) await this.claim(buildId).catch(() => undefined);
  }

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
    // The process that started the server follows it.
    void this.claim(buildId, true).catch(() => undefined);
    void follower.done.then(() => {
      if (this.followers.get(buildId) !== follower) return;
      this.followers.delete(buildId);
      this.release(buildId);
    });
  }

  /** Follows `containerId` into `<logDir>/odoo.log` unless this build is already followed. */
  async ensure(options: { docker: DockerEngine; buildId: string; containerId: string; logDir: string }): Promise<boolean> {
    const { buildId } = options;
    if (this.followers.has(buildId) || this.attaching.has(buildId)) return false;
    this.attaching.add(buildId);
    try {
      if (!(await this.claim(buildId))) return false;
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
      const follower = await followLogs({
        docker: options.docker,
        id: options.containerId,
        since,
        onLine: (l) => out.write(`${l.line}\n`),
      });
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
    this.release(buildId);
  }

  stopAll(): void {
    for (const buildId of [...this.followers.keys()]) this.stop(buildId);
  }
}
