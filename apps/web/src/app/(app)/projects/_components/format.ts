import { formatTimestamp } from "@slipway/domain";

/** "1 h 02 min", "3 min 05 s", "42 s", "0.4 s" — a compact duration for timelines. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** The duration between two instants; a running one counts up to `now`. */
export function elapsed(start: Date | null, end: Date | null, now: Date = new Date()): string | null {
  if (!start) return null;
  return formatDuration((end ?? now).getTime() - start.getTime());
}

/** A timestamp as UTC text (stable between server renders and tests): the platform's one format (@slipway/domain). */
export function formatTime(date: Date | null): string {
  return formatTimestamp(date);
}
