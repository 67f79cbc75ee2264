/**
 * The y axis's ticks (0, half, max) without repeated labels: a tick whose text is the one before's
 * (small values in a coarse unit: "0 KiB", "0 KiB") is left out.
 */
export function axisTicks(max: number, format: (v: number) => string): { value: number; label: string }[] {
  const ticks: { value: number; label: string }[] = [];
  for (const f of [0, 0.5, 1]) {
    const label = format(max * f);
    if (ticks.some((t) => t.label === label)) continue;
    ticks.push({ value: max * f, label });
  }
  return ticks;
}
