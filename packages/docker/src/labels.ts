/** Every resource the platform creates carries `org.slipway.*` labels so it can be found again. */
export const LABEL_PREFIX = "org.slipway.";

/**
 * Labels given without the prefix (`{ role: "odoo", project: "acme" }`); `role` is mandatory so a
 * reconciler can tell what a resource is for. `managed=true` is always added.
 */
export type SlipwayLabels = { role: string } & Record<string, string | undefined>;

/** A label filter: keys without the prefix; a value of `true` matches any value of the key. */
export type LabelSelector = Record<string, string | true>;

export function toDockerLabels(labels: SlipwayLabels): Record<string, string> {
  const out: Record<string, string> = { [`${LABEL_PREFIX}managed`]: "true" };
  for (const [key, value] of Object.entries(labels)) {
    if (value === undefined) continue;
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(key)) throw new Error(`invalid label key: ${key}`);
    out[`${LABEL_PREFIX}${key}`] = value;
  }
  return out;
}

/** Reads back our labels (prefix stripped) from a resource's label map. */
export function fromDockerLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.startsWith(LABEL_PREFIX)) out[key.slice(LABEL_PREFIX.length)] = value;
  }
  return out;
}

/** Docker API `filters` JSON for a label selector. An empty selector is refused: too broad. */
export function labelFilters(selector: LabelSelector): string {
  const entries = Object.entries(selector);
  if (entries.length === 0) throw new Error("a label selector needs at least one label");
  const label = entries.map(([k, v]) => (v === true ? `${LABEL_PREFIX}${k}` : `${LABEL_PREFIX}${k}=${v}`));
  return JSON.stringify({ label });
}
