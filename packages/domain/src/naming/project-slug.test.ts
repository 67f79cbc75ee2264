import { describe, expect, it } from "vitest";
import { assertProjectSlug, checkProjectSlug } from "./project-slug";

describe("project slugs", () => {
  it("accepts lowercase letters, digits and single hyphens, 3 to 40 characters", () => {
    for (const s of ["abc", "acme", "acme-erp", "a1-b2-c3", "9lives", "x".repeat(40)]) expect(checkProjectSlug(s)).toEqual({ ok: true });
  });

  it("refuses everything else with a clear reason", () => {
    const reason = (s: string) => {
      const c = checkProjectSlug(s);
      return c.ok ? null : c.reason;
    };
    expect(reason("ab")).toBe("the project name must have at least 3 characters");
    expect(reason("x".repeat(41))).toBe("the project name must have at most 40 characters");
    expect(reason("Acme")).toBe("the project name must be lowercase");
    expect(reason("acme_erp")).toBe("the project name may only contain lowercase letters, digits and hyphens");
    expect(reason("acme.erp")).toBe("the project name may only contain lowercase letters, digits and hyphens");
    expect(reason("café")).toBe("the project name may only contain lowercase letters, digits and hyphens");
    expect(reason("-acme")).toBe("the project name cannot start or end with a hyphen");
    expect(reason("acme-")).toBe("the project name cannot start or end with a hyphen");
    expect(reason("xn--acme")).toBe("the project name cannot contain two hyphens in a row");
    expect(reason("postgres")).toBe('"postgres" is reserved');
    expect(reason("odoo")).toBe('"odoo" is reserved');
    expect(() => assertProjectSlug("A")).toThrow("at least 3 characters");
  });
});
