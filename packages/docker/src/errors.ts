import { DomainError } from "@slipway/domain";

/** What dockerode errors carry that we look at. */
interface EngineError {
  statusCode?: number;
  message?: string;
  json?: { message?: string } | null;
  code?: string;
}

/**
 * Maps an engine error to the one domain error type: 404 → not_found, 409 → conflict (name in
 * use, already exists), anything else (socket down, 500, bad parameter) → upstream_failed.
 */
export function mapDockerError(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  const e = (error ?? {}) as EngineError;
  const detail = e.json?.message ?? e.message ?? String(error);
  const message = `${what}: ${detail}`.trim();
  if (e.statusCode === 404) return new DomainError("not_found", message, { cause: error });
  if (e.statusCode === 409) return new DomainError("conflict", message, { cause: error });
  return new DomainError("upstream_failed", message, { cause: error });
}

export function isNotFound(error: unknown): boolean {
  return (error as EngineError | undefined)?.statusCode === 404;
}

export function isConflict(error: unknown): boolean {
  return (error as EngineError | undefined)?.statusCode === 409;
}

/** Runs an engine call and maps its failure. */
export async function engineCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapDockerError(error, what);
  }
}
