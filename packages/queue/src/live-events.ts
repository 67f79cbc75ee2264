import type { Redis } from "ioredis";

/**
 * Live updates for the UI: the worker publishes "something changed" notices per project on Redis
 * pub/sub; the web app's event stream forwards them to browsers, which then re-read what they show.
 * Notices carry ids only — the database stays the source of truth.
 */
export interface ProjectNotice {
  projectId: string;
  buildId?: string;
  branchId?: string;
  kind: "build" | "branch" | "project";
}

export const projectChannel = (projectId: string) => `slipway:project:${projectId}`;

export async function publishProjectNotice(redis: Redis, notice: ProjectNotice): Promise<void> {
  await redis.publish(projectChannel(notice.projectId), JSON.stringify(notice));
}

/**
 * Subscribes a DEDICATED connection (a subscribed ioredis client can do nothing else) to one
 * project's notices. Returns an unsubscribe function that also closes the connection.
 */
export async function subscribeProjectNotices(
  subscriber: Redis,
  projectId: string,
  onNotice: (n: ProjectNotice) => void,
): Promise<() => Promise<void>> {
  const channel = projectChannel(projectId);
  const listener = (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      onNotice(JSON.parse(message) as ProjectNotice);
    } catch {
      /* a malformed notice is dropped */
    }
  };
  subscriber.on("message", listener);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off("message", listener);
    await subscriber.unsubscribe(channel).catch(() => undefined);
    subscriber.disconnect();
  };
}
