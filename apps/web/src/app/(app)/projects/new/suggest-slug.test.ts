import { checkProjectSlug } from "@slipway/domain";
import { describe, expect, it } from "vitest";
import { suggestSlug } from "./suggest-slug";

describe("suggestSlug", () => {
  it("proposes a valid project slug from a name", () => {
    expect(suggestSlug("My Shop (EU)")).toBe("my-shop-eu");
    expect(suggestSlug("Café  Déjà-vu!")).toBe("cafe-deja-vu");
    expect(suggestSlug(`${"x".repeat(39)} y`)).toBe("x".repeat(39));
    for (const name of ["Acme", "ACME -- Shop", "  spaced  out  "]) expect(checkProjectSlug(suggestSlug(name))).toEqual({ ok: true });
  });
});
