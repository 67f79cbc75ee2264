import { describe, expect, it } from "vitest";
import { assertImageAllowed, imageAllowed, mayCreateProjects } from "./creation-policy";

describe("project creation policy", () => {
  it("lets superusers and allowlisted logins create projects, nobody else", () => {
    expect(mayCreateProjects({ login: "admin", isSuperuser: true }, [])).toBe(true);
    expect(mayCreateProjects({ login: "Ada", isSuperuser: false }, ["ada"])).toBe(true);
    expect(mayCreateProjects({ login: "dana", isSuperuser: false }, ["ada"])).toBe(false);
    expect(mayCreateProjects({ login: "dana", isSuperuser: false }, [])).toBe(false);
  });

  it("matches images against glob patterns, whole reference only", () => {
    const defaults = ["odoo:*", "slipway/odoo-standin:*"];
    expect(imageAllowed("odoo:17.0", defaults)).toBe(true);
    expect(imageAllowed("slipway/odoo-standin:18.0", defaults)).toBe(true);
    for (const image of [
      "attacker/odoo:17.0",
      "odoo",
      "myodoo:17.0",
      "docker.io/library/odoo:17.0",
      "slipway/odoo-standin-evil:17.0",
      "odoo@sha256:" + "a".repeat(64),
    ]) {
      expect(imageAllowed(image, defaults), image).toBe(false);
    }
    expect(imageAllowed("registry.example.com/team/odoo:17.0", ["registry.example.com/*"])).toBe(true);
    expect(imageAllowed("odoo:17.0", ["odoo:1?.0"])).toBe(true);
    expect(imageAllowed("odooX17.0", ["odoo.17.0"])).toBe(false); // "." is literal
    expect(() => assertImageAllowed("evil:1", defaults)).toThrow(/evil:1 is not allowed.*odoo:\*/);
  });
});
