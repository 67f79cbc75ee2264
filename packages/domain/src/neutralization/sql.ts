import { DomainError } from "../errors";

/**
 * A SQL string literal. Values reaching here are validated by their callers; this is the second
 * line of defence: quotes are doubled (standard_conforming_strings is on since PostgreSQL 9.1, so
 * backslashes are plain characters), NUL bytes and "$" are refused so a literal can never close
 * the dollar-quoted body of a DO block.
 */
export function sqlString(value: string): string {
  if (value.includes("\u0000") || value.includes("$")) {
    throw new DomainError("invalid_input", "A value for a SQL statement contains a NUL byte or a dollar sign.");
  }
  return `'${value.replaceAll("'", "''")}'`;
}

const identifierPattern = /^[a-z_][a-z0-9_]*$/;

/** A table or column name of Odoo's schema: lowercase snake case only, never user input. */
export function sqlIdentifier(name: string): string {
  if (!identifierPattern.test(name)) throw new DomainError("invalid_input", `Not a plain SQL identifier: "${name}".`);
  return name;
}

/** SQL boolean expression: the table exists (resolved through search_path, like Odoo's queries). */
export function tableExists(table: string): string {
  return `to_regclass(${sqlString(sqlIdentifier(table))}) IS NOT NULL`;
}

/** SQL boolean expression: the table exists and has the column. */
export function columnExists(table: string, column: string): string {
  return (
    `EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(${sqlString(sqlIdentifier(table))}) ` +
    `AND attname = ${sqlString(sqlIdentifier(column))} AND attnum > 0 AND NOT attisdropped)`
  );
}

export const DO_TAG = "$slipway$";

/** Wraps PL/pgSQL statements in an anonymous block, so guards can skip missing tables/columns. */
export function doBlock(body: string): string {
  return `DO ${DO_TAG}\nBEGIN\n${body.trim()}\nEND\n${DO_TAG};`;
}

/** `IF <guard> THEN <statements> [ELSE <otherwise>] END IF;` */
export function ifThen(guard: string, statements: string, otherwise?: string): string {
  const elseBranch = otherwise === undefined ? "" : `ELSE\n${otherwise.trim()}\n`;
  return `IF ${guard} THEN\n${statements.trim()}\n${elseBranch}END IF;`;
}

const hostnamePattern = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A DNS name or IPv4 address: letters, digits, "-" and "." only. */
export function assertHostname(host: string, what = "Host"): void {
  if (!hostnamePattern.test(host)) {
    throw new DomainError("invalid_input", `${what} "${host}" is not a valid host name (letters, digits, "-" and "." only).`);
  }
}

export function assertPort(port: number, what = "Port"): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DomainError("invalid_input", `${what} must be an integer between 1 and 65535, got ${String(port)}.`);
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUuid(value: string, what = "UUID"): void {
  if (!uuidPattern.test(value))
    throw new DomainError("invalid_input", `${what} must be a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427.`);
}

const secretPattern = /^[A-Za-z0-9_-]{16,128}$/;

export function assertSecret(value: string, what = "Secret"): void {
  if (!secretPattern.test(value)) throw new DomainError("invalid_input", `${what} must be 16 to 128 letters, digits, "-" or "_".`);
}
