import { describe, expect, it } from "vitest";
import { isProjectDatabase } from "./delete-project";

describe("isProjectDatabase (what a project deletion may drop)", () => {
  it("takes the project's production database, its copies and every build database of the project", () => {
    for (const name of ["shop", "shop_pre_12", "shop_snapshot", "shop--main-3", "shop--feature-x-a1b2c3-14", "shop--uat-7_neutralize"]) {
      expect(isProjectDatabase("shop", name), name).toBe(true);
    }
  });

  it("never another project's, even one whose name starts the same, nor the server's own", () => {
    for (const name of [
      "shop2",
      "shop-eu",
      "shop-eu--main-1",
      "shop2_pre_1",
      "sho",
      "sho--main-1",
      "postgres",
      "template1",
      "slipway_import_ab12",
    ]) {
      expect(isProjectDatabase("shop", name), name).toBe(false);
    }
  });
});
