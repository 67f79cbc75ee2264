import type { Readable } from "node:stream";
import { api, type DockerEngine } from "./engine";
import { fromDockerLabels, LABEL_PREFIX, type LabelSelector } from "./labels";

/** One container event of the engine's event stream (`docker events`), labels without the prefix. */
export interface ContainerEvent {
  /** `start`, `die`, `destroy`, … (Docker's `Action`). */
  action: string;
  containerId: string;
  labels: Record<string, string>;
  /** Seconds since the epoch, as Docker stamps it. */
  time: number;
}

export interface ContainerEventWatch {
  stop(): void;
}

/**
 * Follows the engine's container events matching a label selector and actions. The stream is
 * re-opened after it ends or fails (an engine restart closes it), with a growing delay up to
 * `maxRetryMs`; `onConnected` runs every time it is (re-)opened, so a caller can re-read what it
 * may have missed meanwhile. Events are delivered one at a time, in the engine's order.
 */
export function watchContainerEvents(options: {
  docker: DockerEngine;
  labels: LabelSelector;
  actions: readonly string[];
  onEvent: (event: ContainerEvent) => void;
  onConnected?: () => void;
  onError?: (error: Error) => void;
  maxRetryMs?: number;
}): ContainerEventWatch {
  let stopped = false;
  let stream: Readable | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = 250;
  const maxRetryMs = options.maxRetryMs ?? 5_000;
  const label = Object.entries(options.labels).map(([k, v]) => (v === true ? `${LABEL_PREFIX}${k}` : `${LABEL_PREFIX}${k}=${v}`));
  if (label.length === 0) throw new Error("a label selector needs at least one label");

  const retry = (error?: Error) => {
    stream = null;
    if (stopped) return;
    if (error) options.onError?.(error);
    timer = setTimeout(open, delay);
    delay = Math.min(delay * 2, maxRetryMs);
  };

  function open(): void {
    timer = null;
    if (stopped) return;
    const filters = { type: ["container" as const], event: [...options.actions], label };
    api(options.docker).getEvents({ filters }, (error, result) => {
      if (error || !result) return retry(error ?? new Error("the engine returned no event stream"));
      const s = result as Readable;
      if (stopped) {
        s.destroy();
        return;
      }
      stream = s;
      delay = 250;
      let buffer = "";
      let ended = false;
      const end = (e?: Error) => {
        if (ended) return;
        ended = true;
        s.destroy();
        if (stream === s) retry(e ?? new Error("the engine closed the event stream"));
      };
      s.setEncoding("utf8");
      s.on("data", (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          const event = line ? parseEvent(line) : null;
          if (event) options.onEvent(event);
        }
      });
      s.on("error", (e: Error) => end(e));
      s.on("end", () => end());
      s.on("close", () => end());
      options.onConnected?.();
    });
  }

  open();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const s = stream;
      stream = null;
      s?.destroy();
    },
  };
}

/** One JSON line of the event stream; null for anything else than a container event. */
export function parseEvent(line: string): ContainerEvent | null {
  let raw: {
    Type?: string;
    Action?: string;
    status?: string;
    id?: string;
    time?: number;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
  };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return null;
  }
  if (raw.Type !== undefined && raw.Type !== "container") return null;
  const action = raw.Action ?? raw.status;
  const containerId = raw.Actor?.ID ?? raw.id;
  if (!action || !containerId) return null;
  return { action, containerId, labels: fromDockerLabels(raw.Actor?.Attributes ?? {}), time: raw.time ?? 0 };
}
