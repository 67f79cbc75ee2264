export const domainErrorCodes = ["not_found", "forbidden", "conflict", "invalid_state", "invalid_input", "upstream_failed"] as const;

export type DomainErrorCode = (typeof domainErrorCodes)[number];

/**
 * The one error type of the platform. Each edge maps `code` in one place (HTTP status, action
 * result, job retry or not); `message` is safe to show to a user, `details` carries structured
 * context (never secrets).
 */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: DomainErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    if (options.details !== undefined) this.details = Object.freeze({ ...options.details });
  }
}

export function isDomainErrorCode(value: unknown): value is DomainErrorCode {
  return typeof value === "string" && (domainErrorCodes as readonly string[]).includes(value);
}

/** True for a DomainError, optionally of the given code(s). */
export function isDomainError(error: unknown, ...codes: DomainErrorCode[]): error is DomainError {
  return error instanceof DomainError && (codes.length === 0 || codes.includes(error.code));
}
