import { describe, expect, it } from "vitest";
import { assertModuleName, checkModuleName } from "./module-name";

describe("module names", () => {
  it("accepts Odoo technical names", () => {
    for (const name of ["base", "my_addon", "l10n_be", "web2", "_private"]) expect(checkModuleName(name)).toEqual({ ok: true });
  });

  it("rejects other names with a reason", () => {
    expect(checkModuleName("My_Addon")).toEqual({
      ok: false,
      reason: 'module name "My_Addon" has uppercase letters; Odoo module names are lowercase',
    });
    expect(checkModuleName("my-addon.v2")).toEqual({
      ok: false,
      reason: 'module name "my-addon.v2" contains "-", "."; only lowercase letters, digits and underscores are allowed',
    });
    expect(checkModuleName("")).toMatchObject({ ok: false });
    expect(checkModuleName("a".repeat(129))).toMatchObject({ ok: false });
    expect(() => assertModuleName("bad name")).toThrow(/contains " "/);
  });
});
