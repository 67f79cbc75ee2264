/** One thing wrong with one environment variable. Values are never echoed: they may be secrets. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Thrown when the environment is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}`);
    super([`Invalid configuration (${count}):`, ...lines].join("\n"));
    this.name = "ConfigError";
    this.problems = Object.freeze([...problems]);
  }
}

/** Exit code for a configuration error (EX_CONFIG from sysexits.h). */
export const CONFIG_ERROR_EXIT_CODE = 78;

/**
 * Runs `load` at process start; on a ConfigError prints the readable list to stderr and exits
 * with code 78 so a supervisor can tell "fix your settings" from a crash.
 */
export function exitOnConfigError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
}
