// Shape comparison for the contract checks: a JSON value against a (dereferenced, slimmed) OpenAPI
// schema, and against a recorded real response (keys and JSON types, recursively). Both return the
// list of problems, each naming the JSON path ("$.owner.login: expected string, got number").

export interface Schema {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

/** Problems of `value` against `schema` (empty: it conforms). Extra object keys the schema does not list are problems too. */
export function schemaProblems(value: unknown, schema: Schema, path = "$"): string[] {
  if (schema.allOf) {
    const merged: Schema = { type: "object", properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties ?? {});
      merged.required!.push(...(part.required ?? []));
      if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
    }
    const { allOf: _allOf, ...rest } = schema;
    return schemaProblems(value, { ...rest, ...merged, properties: { ...merged.properties, ...(rest.properties ?? {}) } }, path);
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    if (value === null && schema.nullable) return [];
    const results = branches.map((b) => schemaProblems(value, b, path));
    if (results.some((r) => r.length === 0)) return [];
    return results.sort((a, b) => a.length - b.length)[0] ?? [`${path}: matches no alternative`];
  }
  const actual = jsonType(value);
  if (value === null) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    return schema.nullable || types.includes("null") || schema.type === undefined
      ? []
      : [`${path}: is null, the schema does not allow null`];
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, actual))) return [`${path}: expected ${types.join("|")}, got ${actual}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  const problems: string[] = [];
  if (actual === "array" && schema.items)
    (value as unknown[]).forEach((item, i) => problems.push(...schemaProblems(item, schema.items!, `${path}[${i}]`)));
  if (actual === "object" && (schema.properties || schema.required)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}.${key}: required by GitHub's schema, missing`);
    for (const [key, inner] of Object.entries(object)) {
      const sub = schema.properties?.[key];
      if (sub) problems.push(...schemaProblems(inner, sub, `${path}.${key}`));
      else if (typeof schema.additionalProperties === "object")
        problems.push(...schemaProblems(inner, schema.additionalProperties, `${path}.${key}`));
      else if (schema.additionalProperties !== true) problems.push(`${path}.${key}: not in GitHub's schema (invented field?)`);
    }
  }
  return problems;
}

/**
 * Problems of `value` against a recorded real response: every key the recording has must be there
 * with the same JSON type (a recorded null accepts anything; numbers and integers are alike), arrays
 * compared element-wise against the recording's first element. Keys the recording lacks are allowed
 * only when `known(path)` says so (the OpenAPI schema lists them).
 */
export function recordingProblems(
  value: unknown,
  recorded: unknown,
  path = "$",
  known: (path: string) => boolean = () => false,
  conditional: readonly string[] = [],
): string[] {
  const expected = jsonType(recorded);
  const actual = jsonType(value);
  if (expected === "null") return [];
  if (
    !typeMatches(expected, actual) &&
    !(expected === "number" && actual === "integer") &&
    !(expected === "integer" && actual === "number")
  )
    return [`${path}: the recording has ${expected}, the double answers ${actual}`];
  if (expected === "array") {
    const first = (recorded as unknown[])[0];
    if (first === undefined) return [];
    return (value as unknown[]).flatMap((item, i) => recordingProblems(item, first, `${path}[${i}]`, known, conditional));
  }
  if (expected !== "object") return [];
  const rec = recorded as Record<string, unknown>;
  const got = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(rec)) {
    if (!(key in got)) {
      if (!conditional.includes(`${path}.${key}`)) problems.push(`${path}.${key}: in the recording, missing from the double`);
    } else problems.push(...recordingProblems(got[key], rec[key], `${path}.${key}`, known, conditional));
  }
  for (const key of Object.keys(got)) if (!(key in rec) && !known(`${path}.${key}`)) problems.push(`${path}.${key}: not in the recording`);
  return problems;
}
