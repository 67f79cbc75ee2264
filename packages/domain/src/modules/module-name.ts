// Odoo technical module names: the folder name, used in `-i/-u`, in `depends` and in XML ids.
import { DomainError } from "../errors";

const VALID = /^[a-z0-9_]+$/;
const MAX_LENGTH = 128;

export type ModuleNameCheck = { ok: true } | { ok: false; reason: string };

export function checkModuleName(name: string): ModuleNameCheck {
  if (name.length === 0) return { ok: false, reason: "a module name cannot be empty" };
  if (name.length > MAX_LENGTH) return { ok: false, reason: `module name is longer than ${MAX_LENGTH} characters` };
  if (VALID.test(name)) return { ok: true };
  if (VALID.test(name.toLowerCase())) {
    return { ok: false, reason: `module name "${name}" has uppercase letters; Odoo module names are lowercase` };
  }
  const bad = [...new Set(name.replace(/[a-z0-9_]/g, ""))].map((c) => JSON.stringify(c)).join(", ");
  return {
    ok: false,
    reason: `module name "${name}" contains ${bad}; only lowercase letters, digits and underscores are allowed`,
  };
}

export function assertModuleName(name: string): void {
  const check = checkModuleName(name);
  if (!check.ok) throw new DomainError("invalid_input", check.reason, { details: { name } });
}
