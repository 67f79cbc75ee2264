import { jobNames } from "./catalog";
import type { JobHandlers } from "./handlers";

/**
 * Test support: a complete handler map where the given handlers serve their jobs and every other
 * catalog job gets `fallback` — so tests keep compiling as the catalog grows.
 */
export function handlersFor(overrides: Partial<JobHandlers>, fallback: () => Promise<void>): JobHandlers {
  return Object.fromEntries(jobNames.map((name) => [name, overrides[name] ?? fallback])) as unknown as JobHandlers;
}
