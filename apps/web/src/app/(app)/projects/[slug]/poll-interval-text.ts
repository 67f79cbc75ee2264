/** "every 3 minutes", "every 90 seconds", "every hour": the poll interval (SLIPWAY_POLL_INTERVAL_SECONDS) in words. */
export function pollIntervalText(seconds: number): string {
  const unit = (n: number, word: string) => (n === 1 ? `every ${word}` : `every ${n} ${word}s`);
  if (seconds % 3600 === 0) return unit(seconds / 3600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}
