// SQL text helpers and the one retry policy of the PostgreSQL administration module.

/** A quoted identifier: `"name"` with inner quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A quoted string literal: `'value'` with inner quotes doubled (standard_conforming_strings is on). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function pgCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * Runs `fn` again while PostgreSQL answers 55006 (object in use: a client reconnected to a
 * database between closing its sessions and the statement that needs none), with a growing pause.
 */
export async function retryWhileInUse<T>(
  fn: (attempt: number) => Promise<T>,
  options: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (pgCode(error) !== "55006" || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, (options.delayMs ?? 100) * attempt));
    }
  }
}
